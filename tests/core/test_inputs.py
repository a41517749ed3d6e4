"""What callers pass to ask/ask_many: every mistake is an InputError that names it."""

from __future__ import annotations

import pytest

from agriadvisor.errors import AgriAdvisorError, InputError


def test_ask_many_refuses_a_bare_string(small_advisor) -> None:
    with pytest.raises(InputError, match="takes a list of questions, got a single str"):
        small_advisor.ask_many("When should I sow wheat?")
    with pytest.raises(InputError, match="wrap it in a list"):
        small_advisor.ask_many({"question": "When should I sow wheat?"})


def test_a_mapping_without_a_question_names_its_index(small_advisor) -> None:
    with pytest.raises(InputError, match=r"^question 1: no 'question' key \(the mapping has 'country'\)"):
        small_advisor.ask_many([{"country": "Nepal"}])
    with pytest.raises(InputError, match="^question 2: no 'question' key"):
        small_advisor.ask_many([{"question": "When should I sow wheat?"}, {"crop": "wheat"}])


def test_a_misspelt_key_is_rejected(small_advisor) -> None:
    with pytest.raises(InputError, match="question 1: unknown key 'contry' .*did you mean 'country'"):
        small_advisor.ask_many([{"question": "When should I sow wheat?", "contry": "Nepal"}])


def test_context_must_be_a_mapping_of_known_keys(small_advisor) -> None:
    with pytest.raises(InputError, match="context must be a mapping .* belongs in the question"):
        small_advisor.ask("When should I irrigate?", context="I grow wheat in Nepal")
    with pytest.raises(AgriAdvisorError, match="unknown key 'farm' in context"):
        small_advisor.ask("When should I irrigate?", context={"farm": "wheat"})
    with pytest.raises(InputError, match="unknown country 'Mars'"):
        small_advisor.ask("When should I irrigate?", context={"country": "Mars"})
    ans = small_advisor.ask("When should I irrigate?", context={"country": "nepal", "crop": "wheat"})
    assert ans.query.country == "Nepal" and ans.query.country_from == "context"
