"""Predictors by name: ``naspred.predictors.get("rf", n_estimators=200)``.

One :class:`~naspred.registry.Registry`, :data:`PREDICTORS`. Each entry names its class as ``"module:attr"``,
imported on first use so that importing naspred loads no model. Presets are entries of a shared class with
a parameter fixed, not subclasses: the zero-cost proxies (``synflow``, ``jacov``, ...) are
:class:`~naspred.predictors.zerocost.ZeroCost` with ``proxy`` fixed, ``valacc`` and ``valloss`` are
:class:`~naspred.predictors.learning_curve.EarlyStopping` with ``prefer`` fixed, and OMNI's ablations are
:class:`~naspred.predictors.omni.OMNI` with ``without`` (or ``regressor``) fixed. :func:`register` adds a
user's predictor::

    from naspred import predictors

    predictors.register("mine", MyPredictor, "my predictor", defaults={"alpha": 0.5})
    predictors.get("mine", alpha=1.0)

An unregistered ``"module:Class"`` naming an importable :class:`Predictor` subclass works wherever a name
does (``get``, spec files, ``naspred evaluate --predictors mypackage.models:MyPredictor``), including in the
worker processes of a sweep, which do not see a registration made in the parent.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from typing import Any

from naspred.errors import InvalidInputError, UnknownNameError
from naspred.predictors.base import Predictor
from naspred.registry import Entry, Registry

_P = "naspred.predictors"


def _zero_cost(proxy: str, description: str) -> Entry:
    """``proxy`` as a preset of :class:`~naspred.predictors.zerocost.ZeroCost`."""
    return Entry(proxy, f"{_P}.zerocost:ZeroCost", description, fixed={"proxy": proxy})


def _early_stopping(name: str, curve: str, description: str) -> Entry:
    """Early stopping that prefers ``curve`` (where recorded), as a preset."""
    return Entry(name, f"{_P}.learning_curve:EarlyStopping", description, fixed={"prefer": curve})


def _omni(name: str, description: str, **fixed: Any) -> Entry:
    """An OMNI ablation: :class:`~naspred.predictors.omni.OMNI` with ``fixed`` parameters."""
    return Entry(name, f"{_P}.omni:OMNI", description, fixed=fixed)


#: every registered predictor
PREDICTORS: Registry[Predictor] = Registry("predictor", [
    Entry("lin_reg", f"{_P}.linear:LinearRegression",
          "Least squares on ``encoding``; ``alpha > 0`` adds an L2 penalty (ridge regression)."),
    Entry("bayes_lin_reg", f"{_P}.bayesian_linear:BayesianLinearRegression",
          "Bayesian linear regression on ``encoding`` with a predictive std (NASLib's ``bayes_lin_reg``)."),
    Entry("rf", f"{_P}.random_forest:RandomForest",
          "A random forest regressor on ``encoding``; ``predict_dist`` gives the std over its trees."),
    Entry("lgb", f"{_P}.boosting:LightGBM",
          "LightGBM regression on ``encoding`` (Luo et al. 2020's settings, as NASLib's ``lgb``)."),
    Entry("xgb", f"{_P}.boosting:XGBoost", "XGBoost regression on ``encoding`` (NASLib's ``xgb`` defaults)."),
    Entry("ngb", f"{_P}.ngboost:NGBoost",
          "NGBoost (Normal distribution, tree base learners) on ``encoding``; NASLib's ``ngb`` defaults."),
    Entry("svr", f"{_P}.svr:SVR", "ν-SVR on ``encoding``."),
    Entry("gp", f"{_P}.gaussian_process:GaussianProcess",
          "Exact GP regression on ``encoding``; hyperparameters fitted by ``n_iter`` Adam steps on the marginal "
          "likelihood."),
    Entry("var_sparse_gp", f"{_P}.gaussian_process:SparseGaussianProcess",
          "Stochastic variational GP on ``encoding`` with ``n_inducing`` learned inducing points (Hensman et al. "
          "2013), trained for ``n_epochs`` passes of minibatches of ``batch_size`` architectures."),
    Entry("sparse_gp", f"{_P}.gaussian_process:InducingPointGP",
          "Sparse GP on ``encoding`` with ``n_inducing`` learned inducing points and Titsias's collapsed bound "
          "(or DTC / FITC), as NASLib's ``sparse_gp``."),
    Entry("gp_wl", f"{_P}.gp_wl:GPWL",
          "GP-WL / NAS-BOWL (Ru et al., ICLR 2021): a GP with the Weisfeiler-Lehman optimal-assignment kernel on "
          "the pruned cell graph, WL depth and noise chosen by the marginal likelihood."),
    Entry("mlp", f"{_P}.mlp:MLP",
          "NASLib's MLP predictor: a feed-forward ReLU network on ``encoding`` (White et al., NeurIPS 2021)."),
    Entry("bananas", f"{_P}.mlp:BANANAS",
          "BANANAS's meta neural network (White, Neiswanger and Savani, AAAI 2021): an ensemble of MLPs on the "
          "path encoding, predicting the mean of its members with their standard deviation as uncertainty."),
    Entry("gcn", f"{_P}.gcn:GCN", "The GCN neural predictor of Wen et al. (ECCV 2020), as NASLib's ``GCNPredictor``."),
    Entry("bonas", f"{_P}.gcn:BONAS",
          "BONAS (Shi et al., NeurIPS 2020): a GCN embedding (global node) with a Bayesian linear regression head."),
    Entry("gates", f"{_P}.gates:GATES",
          "GATES (Ning et al., ECCV 2020): operations gate the information flowing over the architecture graph; "
          "trained with a pairwise hinge ranking loss (the authors' NAS-Bench-201 settings)."),
    Entry("nnformer", f"{_P}.nnformer:NNFormer",
          "NN-Former (Xu et al., CVPR 2025): a transformer over the operations of the architecture graph, each "
          "attending to its predecessors, successors and siblings, with GIN-style aggregation in its feed-forward "
          "networks."),
    Entry("ensemble", f"{_P}.ensemble:ModelAverage",
          "The average of model-based predictors fitted on the same cells, each standardised on its training "
          "predictions (deep-ensemble averaging, Lakshminarayanan et al., NeurIPS 2017); default NN-Former and GATES, "
          "each trained on the isomorphs of its cells and averaging over a cell's isomorphs."),
    Entry("dngo", f"{_P}.bayesian_nn:DNGO",
          "DNGO (Snoek et al., ICML 2015): a tanh network's last hidden layer as basis functions of a Bayesian "
          "linear regression, whose evidence-maximised posterior gives the mean and standard deviation."),
    Entry("bohamiann", f"{_P}.bayesian_nn:BOHAMIANN",
          "A BOHAMIANN-style Bayesian neural network (Springenberg et al., NeurIPS 2016): scale-adapted SGHMC "
          "samples of a tanh network (3 layers of 50 units) and its noise level; mixture mean and std."),
    Entry("arch2vec", f"{_P}.arch2vec:Arch2Vec",
          "arch2vec (Yan et al., NeurIPS 2020): DNGO on the embedding of a GIN variational graph autoencoder "
          "pre-trained on ``n_unlabelled`` unlabelled architectures and the training ones."),
    Entry("nao", f"{_P}.seminas:NAO",
          "The encoder-predictor-decoder of NAO (Luo et al., NeurIPS 2018) as a performance predictor."),
    Entry("seminas", f"{_P}.seminas:SemiNAS",
          "SemiNAS (Luo et al., NeurIPS 2020): NAO trained on labelled architectures, then on labelled plus "
          "architectures pseudo-labelled by itself."),
    Entry("early_stopping", f"{_P}.learning_curve:EarlyStopping",
          "Early stopping: the value of ``metric`` after ``fidelity`` epochs (White et al. 2021)."),
    _early_stopping("valacc", "val_accuracy",
                    "Early stopping on the validation accuracy after ``fidelity`` epochs (White et al. 2021)."),
    _early_stopping("valloss", "val_loss",
                    "Early stopping on the validation loss after ``fidelity`` epochs, negated for a maximised "
                    "target."),
    Entry("sotl", f"{_P}.learning_curve:SoTL",
          "Sum of training losses over epochs ``1..fidelity`` (Ru et al. 2021, TSE), negated for a maximised "
          "target."),
    Entry("sotle", f"{_P}.learning_curve:SoTLE",
          "Sum of the training losses of the last ``e`` epochs before ``fidelity`` (Ru et al. 2021, TSE-E)."),
    Entry("sotlema", f"{_P}.learning_curve:SoTLEMA",
          "Training losses of epochs ``t <= T`` weighted by ``ema_decay ** (T - t)`` (Ru et al. 2021, TSE-EMA)."),
    Entry("lce", f"{_P}.lc_extrapolation:LcExtrapolation",
          "Parametric learning-curve extrapolation (Domhan et al. 2015): an MCMC ensemble of curve families "
          "(pybnn's four by default, as NASLib's lce_m)."),
    Entry("lcsvr", f"{_P}.lcsvr:LcSVR",
          "ν-SVR on learning-curve summaries of ``metric`` at ``fidelity`` epochs, plus an optional ``encoding``."),
    Entry("lcnet", f"{_P}.lcnet:LCNet",
          "LC-Net (Klein et al., ICLR 2017): an SGHMC-sampled Bayesian network mixing parametric basis curves, "
          "from ``encoding`` and the partial curve at ``fidelity`` to the final value with a std."),
    Entry("zero_cost", f"{_P}.zerocost:ZeroCost",
          "The zero-cost proxy ``proxy`` as the predicted score, precomputed (``\"table\"``) or computed live."),
    _zero_cost("synflow", "Synflow (Tanaka et al., NeurIPS 2020), log-scaled as NAS-Bench-Suite-Zero reports it."),
    _zero_cost("jacov", "Jacobian covariance (Mellor et al., ICML 2021, v1)."),
    _zero_cost("nwot", "NASWOT: log-determinant of the ReLU-code kernel (Mellor et al., ICML 2021, v2)."),
    _zero_cost("snip", "SNIP saliency (Lee et al., ICLR 2019) as a zero-cost proxy."),
    _zero_cost("grasp", "GraSP (Wang et al., ICLR 2020) as a zero-cost proxy."),
    _zero_cost("fisher", "Channel Fisher information (Turner et al., ICLR 2020) as a zero-cost proxy."),
    _zero_cost("grad_norm", "Sum of the layers' gradient norms (Abdelfattah et al., ICLR 2021)."),
    _zero_cost("params", "Number of parameters (millions) as a zero-cost baseline."),
    _zero_cost("flops", "FLOPs of one input (millions) as a zero-cost baseline."),
    _zero_cost("zen", "Zen-score (Lin et al., ICCV 2021): Gaussian complexity of the features, data-free."),
    _zero_cost("l2_norm", "Sum of the L2 norms of the weights at initialisation (NAS-Bench-Suite-Zero)."),
    _zero_cost("epe_nas", "EPE-NAS (Lopes et al., ICANN 2021): per-class Jacobian correlation."),
    _zero_cost("plain", "Sum of gradient times weight of the loss (NAS-Bench-Suite-Zero's plain)."),
    Entry("omni", f"{_P}.omni:OMNI",
          "OMNI (White et al., NeurIPS 2021): NGBoost on [encoding, learning-curve feature, zero-cost proxy]."),
    _omni("omni_no_encoding",
          "OMNI without the architecture encoding: learning-curve feature and zero-cost proxy (ablation).",
          without=("encoding",)),
    _omni("omni_no_curve", "OMNI without the learning-curve feature: encoding and zero-cost proxy (ablation).",
          without=("curve",)),
    _omni("omni_no_zero_cost", "OMNI without the zero-cost proxy: encoding and learning-curve feature (ablation).",
          without=("proxy",)),
    _omni("omni_encoding_only", "OMNI on the architecture encoding alone (ablation; NGBoost on the encoding).",
          without=("curve", "proxy")),
    _omni("omni_curve_only", "OMNI on the learning-curve feature alone (ablation).", without=("encoding", "proxy")),
    _omni("omni_zero_cost_only", "OMNI on the zero-cost proxy alone (ablation).", without=("encoding", "curve")),
    _omni("omni_seminas",
          "OMNI with SemiNAS (Luo et al., NeurIPS 2020) in place of NGBoost, pseudo-labelling unlabelled archs.",
          regressor="seminas"),
    _omni("omni_xgb",
          "OMNI with XGBoost in place of NGBoost (NASLib's ``omni_xgb`` settings); no standard deviation.",
          regressor="xgb"),
    _omni("omni_gates",
          "OMNI with GATES (Ning et al., ECCV 2020) fitted to the residual of the linear start on the curve and "
          "proxy; no standard deviation.", regressor="gates"),
    Entry("weight_sharing", f"{_P}.weight_sharing:WeightSharing",
          "A one-shot supernet trained once with uniformly sampled paths (Li & Talwalkar 2019; NASLib's oneshot); "
          "each architecture's loss with the shared weights is its score. Default: NB201 cells on MNIST-1D.",
          defaults={"supernet": "naspred.live.supernet:nb201_mnist1d_supernet"}),
    Entry("plain_ngboost", f"{_P}.plain:PlainNGBoost",
          "``ngboost.NGBRegressor()`` with the package's defaults on OMNI's raw features, raw target."),
    Entry("plain_xgboost", f"{_P}.plain:PlainXGBoost",
          "XGBoost on OMNI's raw features, raw target: 500 trees of depth 6 at learning rate 0.05, 80 % row and "
          "column sampling (as ``perf/predictors.py`` sets it)."),
    Entry("plain_lightgbm", f"{_P}.plain:PlainLightGBM",
          "LightGBM on OMNI's raw features, raw target: 500 trees at learning rate 0.05, 31 leaves of at least 5, "
          "80 % row and column sampling (as ``perf/predictors.py`` sets it)."),
])


def names() -> list[str]:
    """Registered predictor names."""
    return PREDICTORS.names()


def _entry(name: str) -> Entry:
    """The registered entry of ``name``, or, for an unregistered ``"module:Class"``, an entry of that class
    (how a spec file, the command line or a worker process names a user's predictor without registering it)."""
    if not (isinstance(name, str) and ":" in name and name not in PREDICTORS):
        return PREDICTORS.entry(name)
    entry = Entry(name, name, "")
    try:
        cls = entry.load()
    except (ImportError, AttributeError) as err:
        raise UnknownNameError(f"predictor {name!r}: cannot import it ({err}); expected a registered name or "
                               "'module:Class' naming an importable Predictor subclass") from None
    if not (isinstance(cls, type) and issubclass(cls, Predictor)):
        raise InvalidInputError(f"predictor {name!r} names {cls!r}, not a naspred Predictor subclass")
    return entry


def predictor_class(name: str) -> type[Predictor]:
    """The class registered as ``name`` (shared by presets: ``predictor_class("synflow")`` is ``ZeroCost``), or
    the class an unregistered ``"module:Class"`` names."""
    return _entry(name).load()  # type: ignore[no-any-return]


def get(name: str, **params: Any) -> Predictor:
    """A new predictor registered as ``name`` (or named ``"module:Class"``), built with its defaults updated by
    ``params``."""
    return _entry(name).build(PREDICTORS.kind, params)  # type: ignore[no-any-return]


def register(
    name: str,
    target: type[Predictor] | str,
    description: str = "",
    *,
    defaults: Mapping[str, Any] | None = None,
    fixed: Mapping[str, Any] | None = None,
    replace: bool = False,
) -> Entry:
    """Register ``target`` (a :class:`Predictor` subclass, or ``"module:attr"`` naming one) as ``name``.

    ``defaults`` are parameters a caller of :func:`get` may override, ``fixed`` those it may not (a preset);
    a name already taken is refused unless ``replace``. Returns the entry.
    """
    if not isinstance(target, str) and not (isinstance(target, type) and issubclass(target, Predictor)):
        raise InvalidInputError(
            f"predictor {name!r}: target must be a Predictor subclass or 'module:attr', got {target!r}"
        )
    return PREDICTORS.register(name, target, description, defaults=defaults, fixed=fixed, replace=replace)


def checked(name: str, **params: Any) -> Predictor:
    """``get(name, **params)`` with every parameter checked now (:func:`naspred.predictors.params.check_params`),
    not when the predictor first fits: what a sweep calls when it is planned."""
    from naspred.predictors.params import check_params

    predictor = get(name, **params)
    check_params(predictor)
    return predictor


def resolve(predictor: Any, who: str, **params: Any) -> Predictor:
    """``predictor`` itself (a naspred Predictor), or the registered predictor of that name built with
    ``params``; ``who`` names the caller in errors."""
    if isinstance(predictor, str):
        return get(predictor, **params)
    if params:
        raise InvalidInputError(
            f"parameters {sorted(params)} apply to a predictor given by name; set them on the "
            f"{type(predictor).__name__} instance instead"
        )
    if not isinstance(predictor, Predictor):
        raise InvalidInputError(
            f"{who} wraps a naspred Predictor or a registered predictor name, got {type(predictor).__name__}"
        )
    return predictor


def _first_sentence(doc: str) -> str:
    """The first sentence of a docstring's first paragraph, on one line."""
    paragraph = " ".join(doc.split("\n\n")[0].split())
    end = re.search(r"(?<!\bal)(?<!\be\.g)(?<!\bi\.e)\.\s", paragraph)  # not at "et al." or "e.g."
    return paragraph if end is None else paragraph[: end.start() + 1]


def summary(name: str) -> str:
    """One line on the predictor ``name``: its entry's description, else the first sentence of its class's
    docstring."""
    entry = PREDICTORS.entry(name)
    return entry.description or _first_sentence(inspect.getdoc(entry.load()) or "")


def describe() -> list[dict[str, Any]]:
    """Name, class, family, requirements, uncertainty and summary of every registered predictor (default
    parameters)."""
    out = []
    for name in names():
        predictor = get(name)
        out.append(
            {
                "name": name,
                "class": type(predictor).__name__,
                "family": predictor.family,
                "requirements": predictor.requirements.as_dict(),
                "uncertainty": bool(predictor.uncertainty),
                "summary": summary(name),
            }
        )
    return out
