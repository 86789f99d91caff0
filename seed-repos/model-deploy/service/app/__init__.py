"""Inference service for the project's registered xgboost model, on AWS Lambda behind an API Gateway HTTP API."""
