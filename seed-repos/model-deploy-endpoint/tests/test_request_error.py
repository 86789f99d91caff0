"""RequestError must be an instance of the container's BaseInferenceToolkitError, so the
container answers it with its status code instead of a 500 (see inference/request_error.py)."""

import sys
import types

import pytest

import request_error


def _fake_module(monkeypatch, name, base_name="BaseInferenceToolkitError", parent=Exception):
    module = types.ModuleType(name)

    class Base(parent):
        def __init__(self, status_code, message, phrase):  # the toolkit's signature
            self.status_code, self.message, self.phrase = status_code, message, phrase

    Base.__name__ = base_name
    setattr(module, base_name, Base)
    monkeypatch.setitem(sys.modules, name, module)
    return Base


def test_without_a_toolkit_the_module_imports_and_uses_the_local_stand_in():
    assert request_error.toolkit_error_bases(("no_such_toolkit.errors",)) == (request_error.LocalToolkitError,)


def test_with_the_inference_toolkit_request_error_is_its_base_error(monkeypatch):
    base = _fake_module(monkeypatch, "fake_sagemaker_inference_errors")
    cls = request_error.make_request_error_class(request_error.toolkit_error_bases(("fake_sagemaker_inference_errors",)))
    error = cls("instances[0].sex: unknown value 'X'")
    assert isinstance(error, base)
    assert (error.status_code, error.message, error.phrase) == (400, "instances[0].sex: unknown value 'X'", error.message)
    assert str(error) == error.message


def test_with_both_toolkit_copies_request_error_is_an_instance_of_each(monkeypatch):
    toolkit = _fake_module(monkeypatch, "fake_toolkit_errors")
    container = _fake_module(monkeypatch, "fake_container_errors")
    cls = request_error.make_request_error_class(
        request_error.toolkit_error_bases(("fake_toolkit_errors", "fake_container_errors")))
    error = cls("bad", 415)
    assert isinstance(error, toolkit) and isinstance(error, container) and error.status_code == 415


def test_a_subclass_and_its_base_give_a_consistent_class(monkeypatch):
    toolkit = _fake_module(monkeypatch, "fake_toolkit_errors")
    derived = _fake_module(monkeypatch, "fake_container_errors", parent=toolkit)
    bases = request_error.toolkit_error_bases(("fake_toolkit_errors", "fake_container_errors"))
    assert bases == (derived,)
    assert isinstance(request_error.make_request_error_class(bases)("bad"), toolkit)


def test_only_4xx_status_codes_are_allowed():
    with pytest.raises(ValueError, match="4xx"):
        request_error.RequestError("boom", 500)


def test_messages_are_one_bounded_ascii_line():
    error = request_error.RequestError("a\r\nb \u00e9 " + "x" * 1000)
    assert error.message.startswith("a b \\xe9 ") and len(error.message) == 400 and error.message.endswith("...")
