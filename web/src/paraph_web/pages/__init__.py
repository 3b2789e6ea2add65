"""The staff web app's pages: one module per area, each exporting a Flask ``bp`` (registered by
``paraph_web.app.create_app``). Templates live in ``templates/<area>/``."""
