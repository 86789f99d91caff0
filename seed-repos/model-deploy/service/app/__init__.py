"""Abalone age (rings) inference service for AWS Lambda behind an API Gateway HTTP API."""
