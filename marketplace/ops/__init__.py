"""Running Serumpun on several servers: request ids and logs, readiness, metrics, error reporting."""
