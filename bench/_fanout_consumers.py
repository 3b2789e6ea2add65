"""N consumer services in one process, each bound to bench.fanned.v1 of ``benchsrc`` with its own queue
(as N different services would be), each handler idempotent through the inbox (one SQL transaction per
event, as real handlers are). Used by bench/fanout.py:

    python -m bench._fanout_consumers N   (AMQP_URI and DATABASE_URL from the environment)
"""
import eventlet

eventlet.monkey_patch()  # noqa: E402

import os  # noqa: E402
import sys  # noqa: E402

from nameko.runners import ServiceRunner  # noqa: E402
from sqlalchemy.orm import DeclarativeBase  # noqa: E402

from paraph_platform.db import Database  # noqa: E402
from paraph_platform.events import subscribe  # noqa: E402
from paraph_platform.inbox import first_time  # noqa: E402
from paraph_platform.models import InboxMixin  # noqa: E402


class Base(DeclarativeBase):
    pass


class Inbox(InboxMixin, Base):
    pass


def consumer_class(i: int):
    name = f"fanout{i}"

    def handle(self, event):
        with self.db.session() as s:
            first_time(s, Inbox, event["id"], name)

    handle.__name__ = "on_fanned"
    return type(f"Fanout{i}", (), {"name": name, "db": Database(),
                                     "on_fanned": subscribe("benchsrc", "bench.fanned.v1")(handle)})


def main():
    n = int(sys.argv[1])
    config = {"AMQP_URI": os.environ["AMQP_URI"], "DATABASE_URL": os.environ["DATABASE_URL"],
              "serializer": "json", "max_workers": int(os.environ.get("MAX_WORKERS", "10"))}
    runner = ServiceRunner(config)
    for i in range(n):
        runner.add_service(consumer_class(i))
    runner.start()
    print("consumers ready", flush=True)
    try:
        runner.wait()
    except KeyboardInterrupt:
        runner.stop()


if __name__ == "__main__":
    main()
