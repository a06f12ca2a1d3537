"""Real messages: follow-ups, picks from "Did you mean", two questions at once, long posts, topic
names and honest scope. Each test reads like a short transcript."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config
from bot.conversation import Conversation
from bot.explanation import explain
from bot.knowledge import load_knowledge
from bot.rendering import escape, render_html
from bot.responder import Reply, Responder


def chat(responder: Responder, *messages: str) -> list[Reply]:
    """The replies to one person's messages, in order, each with the conversation so far."""
    replies, conversation = [], Conversation()
    for message in messages:
        reply = responder.respond(message, conversation)
        replies.append(reply)
        conversation = reply.conversation
    return replies


def test_a_follow_up_is_read_against_the_answer_before_it(responder: Responder) -> None:
    first, follow_up = chat(responder, "why do my glutes cramp", "what about at night?")
    assert first.entry_id == "causes"
    assert follow_up.kind == "answer" and follow_up.entry_id == "when-cramps-happen"


def test_a_follow_up_in_words_of_its_own_is_read_by_the_intent_model(responder: Responder) -> None:
    *_, follow_up = chat(responder, "how much water should i drink", "ok and realistically on a 12 hr shift?")
    assert follow_up.entry_id == "hydration"
    *_, follow_up = chat(responder, "why does my glute cramp on long runs", "nah like so it doesnt happen again")
    assert follow_up.entry_id == "prevention"


def test_a_follow_up_after_a_did_you_mean_is_read_against_its_first_choice(responder: Responder) -> None:
    first, follow_up = chat(responder, "glute cramp info", "is that bad")
    assert first.kind == "clarify"
    assert follow_up.entry_id == "see-doctor"


def test_what_else_after_one_cause_asks_for_the_others(responder: Responder) -> None:
    *_, follow_up = chat(responder, "why do my glutes cramp during squats but never deadlifts", "what else")
    assert follow_up.entry_id == "causes"
    *_, follow_up = chat(responder, "can a pinched nerve cause bum cramps", "anything else")
    assert follow_up.entry_id == "causes"


def test_how_come_after_a_did_you_mean_led_by_a_cause_asks_that_cause(responder: Responder) -> None:
    first, follow_up = chat(responder, "how come my glute cramps when i run hills", "how come")
    assert first.kind == "clarify" and first.suggestions[0].entry_id == "cause-exercise"
    assert follow_up.entry_id == "cause-exercise"


def test_chat_words_and_acknowledgements(responder: Responder) -> None:
    """ "tho" says nothing of the question; "it worked" is thanks, not a new question."""
    *_, follow_up = chat(responder, "glute cramps?", "why tho")
    assert follow_up.entry_id == "causes"
    assert [reply.kind for reply in chat(responder, "BUTT CRAMP RIGHT NOW HELP", "it worked", "ok ill book in")
            ] == ["answer", "smalltalk", "smalltalk"]
    *_, follow_up = chat(responder, "what is a glute cramp", "what does it look like")
    assert follow_up.entry_id == "symptoms"


def test_a_story_that_ends_in_a_bare_why_asks_the_causes(responder: Responder) -> None:
    assert responder.respond("my bum cramps every time i carry the shopping up the stairs, why").entry_id == "causes"
    assert responder.respond("eye twitching for a week, why").kind == "fallback"


def test_advice_already_followed_without_relief_is_a_reason_to_see_a_doctor(responder: Responder) -> None:
    *_, follow_up = chat(responder, "how do i prevent butt cramps", "i already drink loads of water")
    assert follow_up.entry_id == "see-doctor"
    reply = responder.respond("glute cramps keep coming back even tho i eat well and drink 2 litres a day")
    assert reply.entry_id == "see-doctor"
    # "What should I do?" asks what next, not about the advice.
    for told in (("my bum has cramped many times this month even though i drink my water and eat my greens. "
                  "What should I do?"),
                 "I keep getting cramps in my bottom even after drinking more and eating better. What now"):
        assert responder.respond(told).entry_id == "see-doctor", told
    assert responder.respond("SELF CARE NOT WORKING FOR MY BUTT CRAMPS WHAT NOW").entry_id == "see-doctor"
    assert chat(responder, "how do i prevent glute cramps", "I already do all that and still get them, what now?"
                )[-1].entry_id == "see-doctor"
    assert responder.respond("I drink about 2 litres of water a day and still get butt cramps, is it worth seeing "
                             "a doctor?").entry_id == "see-doctor"
    # "no matter what I do" asks no "what do": the doctor question after it is the one asked.
    assert responder.respond("my glutes cramp no matter what i do, who should i see").entry_id == "see-doctor"
    # A question about the advice itself, or about the cause, is that question's to answer.
    assert responder.respond("i drink 2 litres a day and my glutes still cramp, should i drink more?"
                             ).entry_id == "hydration"
    assert responder.respond("i already drink loads but my bum still cramps, why?").entry_id != "see-doctor"


@pytest.mark.parametrize("follow_up", ["tldr?", "in short?", "tl;dr", "too long, tldr"])
def test_asking_for_it_in_short_gives_the_answer_again(responder: Responder, follow_up: str) -> None:
    first, again = chat(responder, "what does the glute do", follow_up)
    assert again.entry_ids == first.entry_ids == ("gluteus-function",) and not again.note


@pytest.mark.parametrize("follow_up", ["really?", "tell me more", "example?", "how so", "are you sure"])
def test_asking_to_hear_more_gives_the_answer_again_and_says_that_is_all(responder: Responder, follow_up: str) -> None:
    first, again = chat(responder, "can a pinched nerve make my bum cramp", follow_up)
    assert again.entry_ids == first.entry_ids == ("cause-nerve",)
    assert "all the article" in again.note


@pytest.mark.parametrize("follow_up", ["i dont even exercise", "i was just sitting there tho, not even exercising"])
def test_a_follow_up_that_rules_out_a_cause_asks_what_else_it_could_be(responder: Responder, follow_up: str) -> None:
    *_, other = chat(responder, "can squats cause glute cramps", follow_up)
    assert other.entry_ids == ("causes",)
    *_, still = chat(responder, "can squats cause glute cramps", "how do i stop it without stopping my squats")
    assert still.entry_ids != ("causes",)


def test_why_though_after_when_they_happen_asks_the_causes(responder: Responder) -> None:
    *_, why = chat(responder, "when do glute cramps happen", "why though")
    assert why.entry_ids == ("causes",)


def test_during_or_after_asks_when_cramps_happen(responder: Responder) -> None:
    *_, when = chat(responder, "can running cause buttock cramps", "during or after?")
    assert when.entry_ids == ("when-cramps-happen",)


def test_asking_to_hear_more_with_nothing_answered_before_is_no_answer(responder: Responder) -> None:
    assert chat(responder, "tell me more")[0].kind == "fallback"


def test_a_follow_up_naming_only_the_subject_asks_the_answer_before_of_it(responder: Responder) -> None:
    *_, follow_up = chat(responder, "what is a muscle cramp", "and in the buttocks specifically?")
    assert follow_up.entry_id == "what-is-gluteal-cramp"
    *_, follow_up = chat(responder, "how much water should i drink", "what if i still cramp")
    assert follow_up.entry_id != "hydration"


def test_why_after_a_cause_asks_about_that_cause(responder: Responder) -> None:
    *_, why = chat(responder, "can a pinched nerve in my back make my bum cramp", "y is that")
    assert why.entry_id == "cause-nerve"
    *_, other = chat(responder, "can poor blood flow cause glute cramps", "what are the other causes?")
    assert other.entry_id == "causes"
    # ...and after how a cramp feels, what causes it (the model, which learnt what people ask after
    # each answer, may name the one cause it reads in "why?"; stop 27 measured both ways).
    *_, why = chat(responder, "what does a glute cramp feel like", "why?")
    assert why.entry_id is not None and responder.knowledge.entries[why.entry_id].topic == "causes"


def test_a_decline_that_named_the_subject_is_followed_on_from(responder: Responder) -> None:
    declined, follow_up = chat(responder, "can kids get butt cramps", "what about adults, what causes it")
    assert declined.kind == "fallback" and "children" in declined.text
    assert follow_up.entry_id == "causes"


def test_is_that_serious_after_an_answer_asks_when_to_see_a_doctor(responder: Responder) -> None:
    *_, reply = chat(responder, "what causes butt cramps", "is that serious?")
    assert reply.entry_id == "see-doctor"


def test_a_follow_up_that_offers_its_own_choices_keeps_to_them(responder: Responder) -> None:
    """ "How much should I be drinking?" after choices of nerve and circulation is about water."""
    conversation = Conversation(suggestions=("cause-nerve", "cause-circulation"))
    reply = responder.respond("How much should I be drinking?", conversation)
    assert "hydration" in {reply.entry_id} | {suggestion.entry_id for suggestion in reply.suggestions}
    assert reply.entry_id != "cause-nerve"


def test_a_muscle_that_locks_up_or_knots_up_is_a_cramp(responder: Responder) -> None:
    reply = responder.respond("bro my glute locked up at footy training and i couldnt even jog off, what was that")
    assert reply.entry_ids == ("what-is-gluteal-cramp",)


def test_a_follow_up_leans_on_the_subject_of_a_message_that_was_not_answered(responder: Responder) -> None:
    first, follow_up = chat(responder, "bro my glute went weird at footy training and i couldnt even jog off, what was that",
                            "how do i stop it next time")
    assert first.kind == "fallback"
    assert follow_up.entry_ids == ("prevention",)
    *_, unrelated = chat(responder, "what is the capital of france", "how do i stop it next time")
    assert unrelated.kind == "fallback"


def test_a_number_picks_from_the_did_you_mean_before_it(responder: Responder) -> None:
    offer, picked = chat(responder, "glute cramp info", "2")
    assert offer.kind == "clarify"
    assert picked.kind == "answer" and picked.entry_id == offer.suggestions[1].entry_id


def test_yes_picks_the_first_choice_and_words_pick_by_place(responder: Responder) -> None:
    offer, picked = chat(responder, "glute cramp info", "yes")
    assert picked.entry_id == offer.suggestions[0].entry_id
    offer, picked = chat(responder, "glute cramp info", "the third one please")
    assert picked.entry_id == offer.suggestions[2].entry_id


def test_a_number_without_a_did_you_mean_is_not_a_pick(responder: Responder) -> None:
    assert responder.respond("2").kind != "answer"


def test_a_place_picks_from_the_questions_listed_under_an_answer(responder: Responder) -> None:
    answer, picked = chat(responder, "why does my bum cramp", "the 2nd one")
    assert picked.entry_id == answer.related[1].entry_id
    answer, not_picked = chat(responder, "why does my bum cramp", "yes")
    assert not_picked.kind != "answer" or not_picked.entry_id not in {s.entry_id for s in answer.related}


@pytest.mark.parametrize("follow_up", ["how do they treat that?", "and how would you fix that"])
def test_a_follow_up_about_the_answers_subject_is_not_covered(responder: Responder, follow_up: str) -> None:
    """After narrowed arteries, "that" is the arteries: treating them is not in the article."""
    _, reply = chat(responder, "can bad circulation give you cramps in the buttock", follow_up)
    assert reply.kind == "fallback" and "I don't have information on" in reply.text


def test_a_question_about_another_conditions_sign_is_not_read_as_a_follow_up(responder: Responder) -> None:
    """After a cramp answer, "what are the signs of a stroke" is about strokes, not cramp symptoms."""
    _, reply = chat(responder, "why do my glutes cramp", "what are the signs of a stroke")
    assert reply.kind == "fallback" and "emergency number" in reply.text


def test_a_follow_up_about_the_answer_itself_is_still_answered(responder: Responder) -> None:
    _, reply = chat(responder, "can a pinched nerve make my glutes cramp", "is that serious?")
    assert reply.entry_id == "see-doctor"


def test_a_second_question_matching_cannot_read_is_read_by_the_intent_model(responder: Responder) -> None:
    reply = responder.respond("how do i prevent glute cramps and how much water is actually enough")
    assert reply.entry_ids == ("prevention", "hydration")
    # ...only when the message is about the articles' subject.
    assert responder.respond("what's cauda equina and what signs should people watch for").kind == "fallback"


def test_a_condition_before_the_second_question_is_no_part_of_it(responder: Responder) -> None:
    reply = responder.respond("can low magnesium cause butt cramps and if so what should i be eating")
    assert reply.entry_ids == ("cause-minerals", "diet")


@pytest.mark.parametrize(("message", "expected"), [
    ("Bum cramps: what causes them + how do I prevent them", ("prevention", "causes")),
    ("bro my glute just locked up mid delivery what is this and how do i get it to let go", ("quick-relief", "what-is-gluteal-cramp")),
])
def test_a_question_after_a_colon_or_run_on_from_the_story_is_asked(responder: Responder, message: str,
                                                                     expected: tuple[str, ...]) -> None:
    assert set(responder.respond(message).entry_ids) == set(expected)


def test_two_questions_in_one_message_get_two_answers(responder: Responder) -> None:
    reply = responder.respond("can low magnesium cause glute cramps? and what foods should i eat")
    assert reply.kind == "answer" and reply.entry_ids == ("cause-minerals", "diet")
    assert reply.text.index("Can low magnesium") < reply.text.index("What should I eat")
    assert reply.text.endswith(responder.config.texts.disclaimer)


@pytest.mark.parametrize(("message", "expected"), [
    # "how" asks wherever it stands; the first half names the subject the second half's "one" means.
    ("glute cramping rn how do i fix it and how do i stop it next time", ("quick-relief", "prevention")),
    ("Can squats give you glute cramps? and how do i get rid of one mid-set?", ("cause-exercise", "quick-relief")),
    # A second question asks something new: of two close choices, the one the first did not take.
    ("Can running cause glute cramps, and do they usually start during the run or after?",
     ("cause-exercise", "when-cramps-happen")),
    ("can narrowed arteries cause butt cramps, and when should i get that looked at?",
     ("cause-circulation", "see-doctor")),
    # "n" for "and"; a word before the question word ("and at what point").
    ("is a pinched nerve a cause of butt cramp n how would i prevent it", ("cause-nerve", "prevention")),
    ("I get buttock cramps when walking. Could it be circulation, and at what point should I see my GP?",
     ("cause-circulation", "see-doctor")),
    # "also" and a word before the question word open a question of their own.
    ("Glute cramps on my long rides. Is the cycling to blame? Also at what point is it worth a GP visit",
     ("cause-exercise", "see-doctor")),
    # Hedges ("tend to") say nothing of what is asked.
    ("what is a bum cramp and when do they tend to come on", ("what-is-gluteal-cramp", "when-cramps-happen")),
    # A second question that repeats the first's word ("squats") still asks something new.
    ("1) do lunges cause glute cramps? 2) how can I avoid them and keep doing lunges", ("cause-exercise", "prevention")),
    # One the model is sure of, though matching offered other choices.
    ("My bum cramps on hills, I'm 70. Is it my circulation? And what should I do when one starts?",
     ("cause-circulation", "quick-relief")),
    # A search that opens with its topic asks too.
    ("signs of a glute cramp + what to do when it happens", ("symptoms", "quick-relief")),
])
def test_the_second_question_leans_on_the_first(responder: Responder, message: str, expected: tuple[str, ...]) -> None:
    assert responder.respond(message).entry_ids == expected


def test_a_condition_that_points_back_is_no_part_of_the_second_question(responder: Responder) -> None:
    reply = responder.respond("HOW DO I STOP MY GLUTES CRAMPING AND IF THEY DO HOW DO I RELEASE THEM FAST")
    assert set(reply.entry_ids) == {"prevention", "quick-relief"}


def test_a_second_question_that_says_nothing_is_not_answered_from_the_first(responder: Responder) -> None:
    reply = responder.respond("Would losing weight help my glute cramps, and how much would I need to lose?")
    assert reply.kind != "answer"


def test_a_covered_question_is_answered_and_the_uncovered_one_named(responder: Responder) -> None:
    reply = responder.respond("what causes glute cramps and is a massage gun worth buying for them")
    assert reply.entry_ids == ("causes",)
    assert "I don't have information on massage" in reply.note
    assert reply.text.index(reply.body) < reply.text.index(reply.note) < reply.text.index(reply.disclaimer)
    assert escape(reply.note) in render_html(reply)


def test_a_second_question_about_the_uncovered_thing_is_not_answered(responder: Responder) -> None:
    """ "Does it cause cramps?" after "is creatine safe": "it" is the creatine the article does not cover."""
    reply = responder.respond("Is creatine safe, and does it cause cramps?")
    assert reply.kind == "fallback" and "I don't have information on" in reply.text


@pytest.mark.parametrize(("message", "expected"), [
    ("not asking what causes it or how to fix it, literally just what IS a glute cramp", "what-is-gluteal-cramp"),
    ("I'm not asking how to stop it, I want to know why my glute cramps", "causes"),
])
def test_what_a_person_says_they_are_not_asking_is_not_answered(responder: Responder, message: str,
                                                                 expected: str) -> None:
    assert responder.respond(message).entry_ids == (expected,)


def test_a_question_pointing_back_at_the_story_is_read_with_it(responder: Responder) -> None:
    reply = responder.respond("My grandad's physio keeps going on about his seat muscles for walking. "
                              "What do those muscles do?")
    assert reply.entry_ids == ("gluteus-function",)
    # The overview of causes gives way to the cause the story names.
    reply = responder.respond("Bum cramps getting worse lately. A mate reckons it's a trapped nerve in my back. "
                              "Can that even cause a cramp in your backside?")
    assert reply.entry_ids == ("cause-nerve",)
    # ...and so does a bare "why" after a story.
    assert responder.respond("Cramp in my buttock during lunges. Why?").entry_ids == ("cause-exercise",)


@pytest.mark.parametrize(("message", "expected"), [
    ("Cramping backside at 65, cause?", "causes"),  # an age is not what is asked about
    ("how much water should i drink so i dont cramp", "hydration"),  # "don't cramp" is no "not a cramp"
])
def test_everyday_details_do_not_hide_the_question(responder: Responder, message: str, expected: str) -> None:
    assert responder.respond(message).entry_ids == (expected,)


@pytest.mark.parametrize("message", [
    "Stomach cramps after my long runs. Is this dehydration or something I'm eating?",
    "what kind of doctor should I see",
])
def test_a_story_about_another_body_part_or_what_a_doctor_does_is_declined(responder: Responder,
                                                                           message: str) -> None:
    reply = responder.respond(message)
    assert reply.kind == "fallback" and reply.body.startswith("I don't have information on")


def test_a_long_post_is_answered_by_its_question_about_its_story(responder: Responder) -> None:
    reply = responder.respond(
        "I'm 44 and I cycle to work every day, about 20 km each way. For a few weeks now my glutes "
        "cramp near the end of the ride and I have to stop and walk for a minute. I drink water and "
        "eat fine. What could be causing this?")
    assert reply.kind == "answer" and reply.entry_id in ("causes", "cause-exercise")


def test_a_topic_name_on_its_own_answers_the_topic(responder: Responder) -> None:
    assert responder.respond("Causes").entry_id == "causes"
    assert responder.respond("symptoms?").entry_id == "symptoms"
    assert responder.respond("when to see a doctor").entry_id == "see-doctor"


def test_a_story_that_asks_what_it_was_asks_what_a_cramp_is(responder: Responder) -> None:
    # Not why this one came (the hip thrusts); "is that a cramp?" asks how one feels.
    assert responder.respond("just did heavy hip thrusts and my left glute locked up mid set. what even is that"
                             ).entry_id == "what-is-gluteal-cramp"
    assert responder.respond("deadlift day and my glute seized up and went tight, is that a cramp").entry_id == "symptoms"
    # "what's that about" asks why; soreness days later is no cramp told.
    assert responder.respond("gloot cramp after running whats that about").entry_id != "what-is-gluteal-cramp"
    assert responder.respond("my glutes are sore 2 days after leg day, is that a cramp?").entry_id != "symptoms"


def test_is_it_the_x_or_something_else_asks_whether_x_is_the_cause(responder: Responder) -> None:
    story = "my left glute starts tightening around km 15 and by 18 it's a proper cramp. "
    assert responder.respond(story + "Do you think it's the training load or something else?"
                             ).entry_id == "cause-exercise"
    # Not a thing no article covers, nor one it knows no word of, nor which muscle it is.
    assert responder.respond("is it my age?").kind == "fallback"
    assert responder.respond("MS patient, buttock spasms daily, is it the MS").kind != "answer"
    assert responder.respond("is it the same as sciatica").kind == "fallback"
    assert responder.respond("my bomb keeps cramping when i do squats is that from the squats and how do i stop "
                             "it coming back").entry_ids == ("prevention", "cause-exercise")


def test_why_it_comes_at_a_time_asks_the_causes(responder: Responder) -> None:
    assert chat(responder, "when do glute cramps happen", "why would it happen when im resting tho"
                )[-1].entry_id == "causes"
    assert responder.respond("why is there a hard knot in my butt when it cramps").entry_id == "symptoms"


def test_a_time_after_when_cramps_come_asks_that_again(responder: Responder) -> None:
    for follow_up in ("and after the gym?", "only during exercise?", "what about right after the gym"):
        assert chat(responder, "when do glute cramps happen", follow_up)[-1].entry_id == "when-cramps-happen", follow_up
    # After another entry it is a question of its own.
    assert chat(responder, "what causes glute cramps", "and after the gym?")[-1].entry_id != "when-cramps-happen"


def test_in_general_names_no_other_subject(responder: Responder) -> None:
    # Beside "cramp", an unknown word is read as another body part ("cramp in my calf"); not these.
    assert responder.respond("how do I prevent the cramps in general").entry_id == "prevention"
    assert responder.respond("ok but what caused the cramp in the first place").entry_id == "causes"
    assert responder.respond("my yoga friend says the glute rotates your thigh outward, is that true?"
                             ).entry_id == "gluteus-function"


def test_the_subject_on_its_own_answers_the_articles_opening(responder: Responder) -> None:
    # Not a "Did you mean" led by prevention; a follow-up that adds to the last reply stays one.
    for message in ("glute cramp", "my glute cramps", "bum cramps?", "butt muscle cramp"):
        assert responder.respond(message).entry_id == "what-is-gluteal-cramp", message
    first, added = chat(responder, "why do muscles cramp", "ok and in the glute specifically?")
    assert added.entry_id == "causes"
    # chat --debug says why by the same rule, the conversation included.
    assert not explain(responder, "ok and in the glute specifically?", first.conversation).subject_only
    assert explain(responder, "glute cramp").subject_only
    # A small word that carries the question makes it more than the subject (the benchmark's rewording).
    assert responder.respond("CAN I KEEP MY BUTT FROM CRAMPING").entry_id != "what-is-gluteal-cramp"


def test_what_the_article_does_not_cover_is_said_plainly(responder: Responder) -> None:
    for message, topic in (("is this sciatica", "sciatica"), ("i'm pregnant and my bum cramps", "pregnancy"),
                           ("heat or ice for a glute cramp", "heat, ice"),
                           ("how long does a glute cramp last", "how long"),
                           ("leg cramps at night", "other parts of the body"),
                           ("how do i know if its sciatica", "sciatica"),
                           ("what can i take to improve circulation", "medicines"),
                           ("is drinking too much water dangerous?", "too much water"),
                           ("is buttock cramp same as sciatica?", "sciatica"),
                           ("gluteal cramps children", "children"),
                           ("can a physio fix glute cramps", "which doctor"),
                           ("what will the doctor actually do about my glute cramps", "which doctor"),
                           ("what would the doctor look for", "which doctor"),
                           ("what can i give him for the pain, he's 14", "medicines"),
                           ("what about magnesium tablets", "medicines"),
                           ("what will they give me for it", "medicines"),
                           ("what can they do for blocked arteries", "treating narrowed arteries"),
                           ("can stress and anxiety give you glute cramps", "stress"),
                           ("is 5 litres of water a day too much", "too much water"),
                           ("do glute cramps mean I have a herniated disc", "other conditions"),
                           (("She's sending me for an ABI and a duplex scan. What actually happens in those tests "
                             "and do they hurt?"), "scans"),
                           ("are squats or lunges better for building the gluteus maximus", "growing the glutes")):
        reply = responder.respond(message)
        assert reply.kind == "fallback", message
        assert "I don't have information on" in reply.text and topic in reply.text, message


def test_after_an_emergency_reply_every_reply_says_what_to_do_if_it_goes_on(responder: Responder) -> None:
    urgent, asked, thanked = chat(responder, "my pee is brown like cola after leg day and my legs are weak",
                                  "is it serious though", "ok thanks")
    assert urgent.kind == "urgent"
    for reply in (asked, thanked):
        assert "emergency number" in reply.text and reply.text.endswith(reply.disclaimer) and reply.disclaimer
    crisis, after = chat(responder, "i want to end it all tonight", "what causes bum cramps")
    assert crisis.red_flag == "self-harm" and after.entry_id == "causes" and "crisis line" in after.text
    assert "emergency number" not in responder.respond("is it serious though").text


def test_doubting_the_emergency_reply_gets_it_again(responder: Responder) -> None:
    # Not "Sorry, I can't answer that one", nor when to see a doctor about cramps that come back.
    for doubt in ("is it serious though", "should i worry?", "do i really need to go"):
        urgent, doubted = chat(responder, "chest pain and my glute cramps", doubt)
        assert doubted.kind == "urgent" and doubted.red_flag == urgent.red_flag == "chest-pain", doubt
        assert doubted.text.endswith(doubted.disclaimer)
    assert chat(responder, "i want to end it all tonight", "is that bad")[-1].body.startswith(
        responder.config.texts.crisis)
    # A cramp question after it is answered, with the note.
    assert chat(responder, "chest pain and my glute cramps", "when should i see a doctor about glute cramps"
                )[-1].entry_id == "see-doctor"


def test_a_correction_after_a_decline_asks_the_declined_question_again(responder: Responder) -> None:
    declined, corrected = chat(responder, "why do my calves cramp after football", "oops i meant my glutes not calves")
    assert declined.kind == "fallback" and corrected.entry_id == "cause-exercise"
    # Only the next message may correct it, and only by naming the subject.
    assert chat(responder, "why do my calves cramp after football", "sorry")[-1].kind != "answer"


def test_a_detail_of_the_story_does_not_decline_what_is_asked_about_it(responder: Responder) -> None:
    # The cramp is the writer's own, though a toddler is in the story; the vague "can it?" asks
    # about the sentence before it, not the standing desk the story opened with.
    assert responder.respond("I lift my toddler all day and I get glute cramps most evenings now. "
                             "What could be causing them?").kind != "fallback"
    assert responder.respond("I work at a standing desk these days. My glute keeps cramping and my "
                             "physio thinks a squashed nerve in my back could do that. Can it?").entry_id == "cause-nerve"
    # "Is this from" asks for a cause the article names; "is this a" asks for a diagnosis.
    assert responder.respond("is this from a pinched nerve").entry_id == "cause-nerve"
    assert "I don't have information on" in responder.respond("is this a trapped nerve").text


def test_the_same_messages_always_get_the_same_replies(responder: Responder) -> None:
    messages = ("glute cramp info", "2", "what causes migraines", "why do my glutes cramp", "and at night?")
    assert chat(responder, *messages) == chat(responder, *messages)


def test_inline_search_follows_the_chat_rules(responder: Responder) -> None:
    assert [reply.kind for reply in responder.search("i have crushing chest pain", 5)] == ["urgent"]
    assert responder.search("what causes migraines", 5) == []
    found = responder.search("why does my glute cramp", 5)
    assert found and found[0].entry_id == "causes"


def test_a_topic_an_article_covers_is_no_longer_declined(knowledge_copy: Path) -> None:
    (knowledge_copy / "glute-strain.yaml").write_text(
        "title: Glute strain\nsource: {title: Glute strain, covers: all}\nreviewed: 2026-11-24\nentries:\n"
        "  - id: strain-what\n    topic: about\n    source: Introduction\n"
        "    questions: [what is a pulled glute, what is a glute strain, pulled glute muscle]\n"
        "    answer: A tear of some of the muscle's fibres.\n")
    responder = Responder(load_knowledge(knowledge_copy), Config(knowledge_path=knowledge_copy))
    assert responder.respond("what is a pulled glute").entry_id == "strain-what"
    assert "I don't have information on" in responder.respond("is this sciatica").text


def test_a_thing_the_articles_name_is_not_out_of_scope_on_its_own(responder: Responder) -> None:
    """The gluteus maximus answer names the tailbone and the hip joint, so asking where the muscle
    attaches is answered; tailbone pain stays a topic no article covers."""
    assert responder.respond("Is the gluteus maximus attached to the tailbone?").entry_id == "gluteus-maximus"
    for message in ("my tailbone hurts when i sit", "coccyx pain after a fall"):
        assert "I don't have information on" in responder.respond(message).text, message


def test_a_story_that_tells_a_topic_is_not_asking_about_it(responder: Responder) -> None:
    """ "I warm up and everything" is told; "should I warm up" asks what the article does not cover."""
    told = responder.respond("why does my butt cramp every time i do hip thrusts i warm up and everything")
    assert told.entry_id == "cause-exercise"
    assert "I don't have information on warm-ups" in responder.respond("should i warm up before squats").text


def test_a_child_in_the_story_does_not_make_the_writers_cramp_a_childs(responder: Responder) -> None:
    mine = responder.respond("playing on the floor with my toddler and my right cheek locked solid. how do i make it stop?")
    assert mine.entry_id == "quick-relief"
    assert "children" in responder.respond("my toddler gets cramps in his bum, how do i make it stop?").text
