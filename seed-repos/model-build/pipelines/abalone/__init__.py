"""The Abalone regression pipeline and its step scripts."""
