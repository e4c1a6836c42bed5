"""NASLib's names of search spaces and datasets, and naspred's.

NASLib names a space ``nasbench201``, ``nasbench101``, ``nasbench301``, ``transbench101_micro``,
``transbench101_macro``, and NAS-Bench-201's third dataset ``ImageNet16-120``; naspred says ``nb201``, ``nb101``,
``darts``, ``tnb101-micro``, ``tnb101-macro`` and ``imagenet16``. Every function here takes either naming.
TransNAS-Bench-101 tasks (``class_scene``, ``jigsaw``, ...) have one name in both.
"""

from __future__ import annotations

from collections.abc import Mapping

from naspred.errors import UnknownNameError
from naspred.spaces import get as get_space
from naspred.spaces.base import SearchSpace

#: NASLib search-space names -> naspred search-space names
NASLIB_SPACES: Mapping[str, str] = {
    "nasbench201": "nb201",
    "nasbench101": "nb101",
    "nasbench301": "darts",
    "darts": "darts",
    "transbench101_micro": "tnb101-micro",
    "transbench101_macro": "tnb101-macro",
}

#: naspred dataset names -> NASLib dataset names (other datasets, e.g. TransNAS-Bench-101 tasks, pass unchanged)
NASLIB_DATASETS: Mapping[str, str] = {
    "cifar10": "cifar10",
    "cifar100": "cifar100",
    "imagenet16": "ImageNet16-120",
}

#: the NAS-Bench-201 datasets naspred names
NB201_DATASETS: tuple[str, ...] = ("cifar10", "cifar100", "imagenet16")


def naslib_dataset(dataset: str) -> str:
    """NASLib's name of ``dataset`` (``"imagenet16"`` and ``"ImageNet16-120"`` both give ``"ImageNet16-120"``)."""
    return NASLIB_DATASETS.get(dataset, dataset)


def naspred_dataset(dataset: str) -> str:
    """naspred's name of a NASLib dataset name (``"ImageNet16-120"`` gives ``"imagenet16"``)."""
    for ours, theirs in NASLIB_DATASETS.items():
        if dataset == theirs:
            return ours
    return dataset


def space_name(space: str) -> str:
    """naspred's name of a search space (``"nasbench201"`` and ``"nb201"`` both give ``"nb201"``)."""
    return NASLIB_SPACES.get(space, space)


def naslib_space(space: str) -> str:
    """NASLib's name of a search space (``"nb201"`` and ``"nasbench201"`` both give ``"nasbench201"``); a name
    NASLib does not have passes unchanged. ``darts`` stays ``darts``, NASLib's own name for it."""
    if space in NASLIB_SPACES:
        return space
    return next((theirs for theirs, ours in NASLIB_SPACES.items() if ours == space), space)


def check_nb201_dataset(dataset: str) -> str:
    """``dataset`` in naspred's naming if it is a NAS-Bench-201 dataset, else :class:`UnknownNameError`."""
    ours = naspred_dataset(dataset) if isinstance(dataset, str) else dataset
    if ours not in NB201_DATASETS:
        raise UnknownNameError(
            f"unknown NAS-Bench-201 dataset {dataset!r}; expected one of {list(NB201_DATASETS)} "
            "(or NASLib's names cifar10, cifar100, ImageNet16-120)"
        )
    return ours


def space_for(naslib: str) -> SearchSpace:
    """The naspred search space of a NASLib (or naspred) search-space name."""
    ours = space_name(naslib)
    if ours not in NASLIB_SPACES.values():
        raise UnknownNameError(
            f"unknown NASLib search space {naslib!r}; expected one of {sorted(NASLIB_SPACES)} "
            f"or naspred's {sorted(set(NASLIB_SPACES.values()))}"
        )
    return get_space(ours)
