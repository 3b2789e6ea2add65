from signing_service.models import Base
from paraph_platform.migrations import run_env

run_env(Base.metadata)
