-- Run once by the postgres image on an empty data directory (docker-entrypoint-initdb.d).
-- One database per service (paraph_<service>): services never share tables. Each service also
-- creates its own database on start if it is missing (python -m paraph_platform.run <service> --migrate).
CREATE DATABASE paraph_identity;
CREATE DATABASE paraph_perimeter;
CREATE DATABASE paraph_contracts;
CREATE DATABASE paraph_signing;
CREATE DATABASE paraph_portal;
CREATE DATABASE paraph_notify;
