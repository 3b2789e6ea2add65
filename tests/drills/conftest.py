"""Fixtures shared by the drills."""
import pytest

from tests.drills.harness import PrivateCluster, PrivatePostgres, PrivateRabbit, ServiceProcess


def _private(server_class, make, what: str):
    """A private server the drill may stop, kill and restart (the machine's shared ones are never touched),
    cleaned up whatever the drill does; skipped where this machine cannot run one."""
    reason = server_class.available()
    if reason:
        pytest.skip(f"no private {what} possible here: {reason}")
    server = make()
    try:
        server.start()
        yield server
    finally:
        server.cleanup()


@pytest.fixture
def broker():
    """A private RabbitMQ node."""
    yield from _private(PrivateRabbit, PrivateRabbit, "RabbitMQ node")


@pytest.fixture
def cluster():
    """A private 3-node RabbitMQ cluster (tests/drills/harness.PrivateCluster) the drill may kill nodes of."""
    yield from _private(PrivateRabbit, lambda: PrivateCluster(3), "RabbitMQ cluster")


@pytest.fixture
def postgres():
    """A private PostgreSQL server (tests/drills/harness.PrivatePostgres) the drill may restart."""
    yield from _private(PrivatePostgres, PrivatePostgres, "PostgreSQL server")


@pytest.fixture
def real_services_on(rabbit_config, tmp_path):
    """``real_services_on(database_urls)``: the real services named by the URLs' keys, one process each, started
    as in production (``python -m paraph_platform.run``) on the test broker; stopped at the end."""
    started = []

    def start(database_urls: dict):
        env = {"AMQP_URI": rabbit_config["AMQP_URI"], "LOG_LEVEL": "INFO", "PARAPH_DATA_DIR": str(tmp_path),
               "PUBLIC_URL": "http://paraph.test", "RPC_TIMEOUT": "10",
               **{f"{name.upper()}_DATABASE_URL": url for name, url in database_urls.items()}}
        processes = {name: ServiceProcess(name, env, tmp_path).start() for name in database_urls}
        started.extend(processes.values())
        return processes

    yield start
    for process in started:
        process.stop()
