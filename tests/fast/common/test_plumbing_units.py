"""Pure logic of the shared plumbing in tt.common: the retry backoff, the field rules."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from tt.common.backoff import Backoff
from tt.common.fields import NUL_REFUSED, NoNul, has_nul


def test_backoff_doubles_up_to_the_cap_and_a_success_resets_it() -> None:
    retry = Backoff(0.5, 3.0, rand=lambda: 0.5)  # no jitter: the wait is the step
    assert [retry.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    retry.reset()
    assert retry.step == 0.5
    assert retry.next_delay() == 0.5


@pytest.mark.parametrize(("rand", "expected"), [(0.0, 0.5), (0.999, 1.499)])
def test_backoff_jitters_each_wait_between_half_and_one_and_a_half_steps(
    rand: float, expected: float
) -> None:
    retry = Backoff(1.0, 10.0, rand=lambda: rand)
    assert retry.next_delay() == pytest.approx(expected)
    assert retry.step == 2.0  # the jitter never changes the step itself


async def test_backoff_wait_sleeps_the_delay() -> None:
    retry = Backoff(0.01, 0.01)
    await retry.wait()
    assert retry.step == 0.01


def test_has_nul_looks_into_json_keys_and_values() -> None:
    assert not has_nul({"a": ["b", 1, None, {"c": "d"}]})
    assert has_nul("a\x00")
    assert has_nul({"a\x00": 1})
    assert has_nul({"a": [1, {"b": "\x00"}]})
    assert not has_nul(b"\x00")  # bytes are not text: not what this rule is about


def test_a_nul_is_a_field_error() -> None:
    from typing import Annotated

    class Model(BaseModel):
        name: Annotated[str, NoNul]

    assert Model(name="ok").name == "ok"
    with pytest.raises(ValidationError) as caught:
        Model(name="a\x00b")
    assert [(e["type"], e["msg"]) for e in caught.value.errors()] == [("string_nul", NUL_REFUSED)]
