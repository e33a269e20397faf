import pytest
from rcm_coding.adapters.reference_data import default_engine
from rcm_coding.domain.engine import CodingEngine


@pytest.fixture(scope="session")
def engine() -> CodingEngine:
    return default_engine()
