import pytest

from core.datasets.candidates import NoCandidates


@pytest.fixture(scope="session")
def codeset():
    from core.codes import get_codeset

    return get_codeset()


@pytest.fixture()
def no_candidates():
    return NoCandidates()
