# eventlet must patch the standard library before anything else imports it, or
# nameko containers in tests hang.
import eventlet

eventlet.monkey_patch()

pytest_plugins = ["paraph_platform.testing"]
