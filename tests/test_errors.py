"""One error shape: every LastResortError subclass has a status, a stable code and its own message."""

from __future__ import annotations

import lastresort.errors as errors


def subclasses(cls: type[errors.LastResortError]) -> list[type[errors.LastResortError]]:
    return [cls] + [s for c in cls.__subclasses__() for s in subclasses(c)]


def test_every_error_has_status_code_and_message() -> None:
    codes = set()
    for cls in subclasses(errors.LastResortError):
        exc = cls()
        body = exc.to_dict()
        assert set(body) >= {"error", "message", "status"}
        assert 400 <= body["status"] < 600 and body["message"]
        codes.add(body["error"])
        assert cls.__name__ in errors.__doc__ or cls is errors.LastResortError  # the tree names every class
    assert len(codes) == len(subclasses(errors.LastResortError))


def test_details_are_merged_into_the_body() -> None:
    body = errors.ConversationEnded(ending={"turn": 4}).to_dict()
    assert body == {"error": "conversation_ended", "message": errors.ConversationEnded.default_message,
                    "status": 409, "ending": {"turn": 4}}
