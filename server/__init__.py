"""处方流转平台 server: FastAPI over PostgreSQL."""
