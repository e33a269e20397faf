import pytest
from rcm_coding.domain.engine import CodingEngine, default_engine


@pytest.fixture(scope="session")
def engine() -> CodingEngine:
    return default_engine()
