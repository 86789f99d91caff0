"""SageMaker Pipelines of this project, and the script that runs them."""
