"""Zero-cost proxies computed on the real network of an architecture (PyTorch), and read from benchmarks.

* Networks (:mod:`.networks`): ``build_network(arch, seed=...)`` for NAS-Bench-201 cells (:mod:`.nb201_network`),
  TransNAS-Bench-101 micro cells and macro skeletons with each task's decoder (:mod:`.transnas_network`),
  NAS-Bench-101 cells (:mod:`.nb101_network`) and DARTS genotypes (:mod:`.darts_network`), with the
  published macro skeletons and initialisations.
* Proxies by name (:mod:`.proxies`, a registry a script adds to with ``proxies.register``): synflow
  (log-scaled, as NAS-Bench-Suite-Zero reports it) and synflow_raw (:mod:`.synflow`), jacov and nwot
  (:mod:`.jacobian`), snip, grasp, fisher and grad_norm (:mod:`.saliency`), params and flops (:mod:`.counts`).
* Many architectures at once, missing values recorded with their reasons: :class:`ProxyComputer`
  (:mod:`.compute`, the engine of ``naspred proxies``), written row by row to a file a re-run resumes
  (:func:`write_proxies`, :mod:`.proxy_file`); precomputed values of a benchmark: :class:`ZeroCostTable`
  (:mod:`.table`). Input shape and output size of each dataset: :func:`dataset_shape` (:mod:`.data`).

Names are exported lazily, so that importing this package does not load PyTorch.
"""

from __future__ import annotations

from naspred.featurizers.exports import lazy_getattr

_EXPORTS: dict[str, str] = {
    "build_network": "naspred.featurizers.zerocost.networks",
    "dataset_shape": "naspred.featurizers.zerocost.data",
    "NB201Network": "naspred.featurizers.zerocost.nb201_network",
    "NB101Network": "naspred.featurizers.zerocost.nb101_network",
    "DARTSNetwork": "naspred.featurizers.zerocost.darts_network",
    "TransNASNetwork": "naspred.featurizers.zerocost.transnas_network",
    "evaluate": "naspred.featurizers.zerocost.proxies",
    "names": "naspred.featurizers.zerocost.proxies",
    "log_synflow": "naspred.featurizers.zerocost.synflow",
    "jacov": "naspred.featurizers.zerocost.jacobian",
    "nwot": "naspred.featurizers.zerocost.jacobian",
    "snip": "naspred.featurizers.zerocost.saliency",
    "grasp": "naspred.featurizers.zerocost.saliency",
    "fisher": "naspred.featurizers.zerocost.saliency",
    "grad_norm": "naspred.featurizers.zerocost.saliency",
    "params": "naspred.featurizers.zerocost.counts",
    "flops": "naspred.featurizers.zerocost.counts",
    "DataBatch": "naspred.featurizers.zerocost.data",
    "as_batch": "naspred.featurizers.zerocost.data",
    "load_batch": "naspred.featurizers.zerocost.data",
    "ProxyResult": "naspred.featurizers.zerocost.result",
    "ProxyError": "naspred.featurizers.zerocost.result",
    "ProxyComputer": "naspred.featurizers.zerocost.compute",
    "compute_proxies": "naspred.featurizers.zerocost.compute",
    "benchmark_proxies": "naspred.featurizers.zerocost.compute",
    "write_proxies": "naspred.featurizers.zerocost.proxy_file",
    "read_proxy_file": "naspred.featurizers.zerocost.proxy_file",
    "ZeroCostTable": "naspred.featurizers.zerocost.table",
}

__all__ = sorted(_EXPORTS)

__getattr__ = lazy_getattr(__name__, _EXPORTS)
