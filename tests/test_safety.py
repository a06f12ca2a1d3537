"""Red flags win over everything; negations and ordinary cramp talk do not raise them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import DEFAULT_CRISIS, DEFAULT_EMERGENCY
from bot.knowledge import Knowledge
from bot.responder import Responder
from bot.safety import parse_rule
from bot.triage import Triage, _train, failing_examples

from .conftest import KNOWLEDGE_DIR


@pytest.mark.parametrize("text, flag", [
    ("I have numbness in my groin", "saddle-numbness"),
    ("my inner thighs feel numb and tingly", "saddle-numbness"),
    ("I can't control my bladder since this morning", "bladder-bowel-control"),
    ("I wet myself and my back hurts", "bladder-bowel-control"),
    ("my left leg suddenly went weak", "sudden-leg-weakness"),
    ("I cant feel my legs", "sudden-leg-weakness"),
    ("my calf is swollen, hot and red", "hot-swollen-leg"),
    ("after the marathon my pee is dark brown and my muscles ache", "dark-urine"),
    ("my urine looks like cola after the gym", "dark-urine"),
    ("my pee is the colour of cola after running", "dark-urine"),
    ("my urine is tea coloured", "dark-urine"),
    ("crushing chest pain", "chest-pain"),
    ("I think I'm having a heart attack", "chest-pain"),
    ("I can't breathe", "trouble-breathing"),
    ("I fainted after my workout", "fainting"),
    ("his face is drooping", "stroke-signs"),
    ("my speech is slurred", "stroke-signs"),
    ("I think my dad is having a stroke", "stroke-signs"),
    ("I fell down the stairs and now I can't walk", "injury-cannot-walk"),
    ("I want to kill myself", "self-harm"),
    ("i don't want to live anymore", "self-harm"),
    # The lines, as people type them.
    ("i dont see the point of being around any more", "self-harm"),
    ("theyd all be better off if i wasnt here", "self-harm"),
    ("going to swallow every pill in the cupboard tonight", "self-harm"),
    ("cant feel anything down below", "saddle-numbness"),
    ("numb when i wipe", "saddle-numbness"),
    ("chst pain", "chest-pain"),
    ("breathin is so hard", "trouble-breathing"),
    ("blacked out on the bus", "fainting"),
    ("my leg is huge and red and burning hot", "hot-swollen-leg"),
    ("half my face has slipped", "stroke-signs"),
    ("came off a wall and my leg wont take any weight", "injury-cannot-walk"),
    ("pee like cola since the gym", "dark-urine"),
    ("my dad's face has gone droopy and he can't get his words out", "stroke-signs"),
    ("had a clot years ago, now my calf is hot and swollen", "hot-swollen-leg"),
    # Batch AB: a burn, waters breaking, tetanus, a poison however well the child seems.
    ("my 4yo put his hand on the hot stove, huge blisters across his palm", "serious-burn"),
    ("waters broke, 29 weeks, contractions every 3 min", "pregnancy-emergency"),
    ("stepped on a rusty nail last week, now my jaw is stiff and I can't open my mouth", "infection-signs"),
    ("my son ate rat poison by mistake 20 minutes ago, he is ok now, should we wait and see?", "poisoning-overdose"),
    # Stop 26: an injury made on purpose, a sign in pregnancy, a curtain over the eye.
    ("my wrist is cut deep and i did it on purpose", "self-harm"),
    ("bleeding loads", "severe-bleeding"),
    ("blood wont stop", "severe-bleeding"),
    ("34 weeks pregnant. bad tummy pain now", "pregnancy-emergency"),
    ("hit in the eye with a squash ball, now like a curtain coming down over it", "stroke-signs"),
    # Stop 27: blood that was swallowed, too much water, a gas alarm, heat and confusion, a bite.
    ("threw up what looks like coffee grounds", "severe-bleeding"),
    ("my poo is black and sticky", "severe-bleeding"),
    ("drank maybe 5 litre in the race, now confuse and vomiting", "poisoning-overdose"),
    ("co alarm going off we all dizzy", "poisoning-overdose"),
    ("toddler drank something from under the sink", "poisoning-overdose"),
    ("cramps all over after a run in the heat, now confused", "infection-signs"),
    ("something bit my ankle, think it was a snake, swelling fast", "poisoning-overdose"),
    # Stop 28: a medicine by name, a low reading with its first signs, waters gone, sight gone.
    ("my daughter got into the naproxen and ate a few", "poisoning-overdose"),
    ("glucose 2.4 and trembling", "diabetes-emergency"),
    ("her waters just went and shes only 33 weeks", "pregnancy-emergency"),
    ("went blind in my right eye out of nowhere", "stroke-signs"),
    ("blood is spraying, bleeding everywhere", "severe-bleeding"),
    ("since this morning i can't control my bowels", "bladder-bowel-control"),
    ("the gun is in my hand and i just want it to stop", "self-harm"),
])
def test_red_flags_are_raised(knowledge: Knowledge, text: str, flag: str) -> None:
    found = knowledge.red_flags.assess(text, knowledge.vocabulary).flag
    assert found is not None and found.id == flag


@pytest.mark.parametrize("text", [
    "no numbness in my groin, just a cramp", "I don't have chest pain", "my leg is not swollen",
    "my butt cramps after squats", "my glute spasms when I run", "a hard lump in my bum",
    "can you get butt cramps at night", "without any numbness or tingling in the groin",
    "how much water should I drink", "my urine is clear", "my buttock is tight after leg day",
    "no chest pain, no trouble breathing, just a cramp",
    "what causes a stroke", "is a heart attack hereditary",
    "this cramp nearly gave me a heart attack haha", "are suicide runs bad for glutes",
    "bladder is fine and no numbness", "my aunt had a stroke years ago, are cramps linked",
    "how do i recognise a heart attack", "what are the signs of a stroke", "what colour is pee with rhabdo",
    "blood clot in leg symptoms", "before i go any further, what does the glute do for the kids and me",
    "could bum cramps lead to a stroke later in life?", "sweating buckets in a gym with no air con",
    "walk the dog twice a day and do a bit of aqua aerobics", "anaphylaxis symptoms list pls",
    "is bum cramp ever a stroke sign", "this workout gonna kill me", "my seizure meds are fine, asking about cramps",
    "peanut allergy but no reaction in years, always carry my epipen",
    "my doc asked if i had saddle numbness and i said no to both",
    "dad has leaked a little for years, nothing new, just asking about his bum cramps",
    "woke up with my heart pounding, went to a&e and it was all clear",
    "i could pass out from boredom on this bike",
    "what warning signs of a stroke should I keep an eye out for in older people?",
    "out of breath after the hill sprint, back to normal after a minute",
    "type 1 here, my sugar runs high after big meals, does that cause cramps?",
    "i always joke i'm going to faint on leg day, why do my glutes cramp after it?",
    "strokes run in my family, are cramps different from one?",
    "my tita says my bum cramps are from low potassium",
    "landed on my bum at football, should i get it x rayed?", "i have copd, can it cause glute cramps?",
    "I take metformin and feel a bit sick after meals, could that cause cramps?",
])
def test_negations_and_cramp_talk_are_not_red_flags(knowledge: Knowledge, text: str) -> None:
    assert knowledge.red_flags.assess(text, knowledge.vocabulary).flag is None


def test_a_negation_reaches_only_its_own_clause(knowledge: Knowledge) -> None:
    found = knowledge.red_flags.assess("no cramps but my chest hurts", knowledge.vocabulary).flag
    assert found is not None and found.id == "chest-pain"
    found = knowledge.red_flags.assess("couldnt lift my arms, pee looks like cola", knowledge.vocabulary).flag
    assert found is not None and found.id == "dark-urine"
    # ...while a list after a comma stays denied.
    assert knowledge.red_flags.assess("no fever, stiff neck or rash, just a bum cramp", knowledge.vocabulary).flag is None


def raised(knowledge: Knowledge, text: str) -> str | None:
    """The flag the rules raise, by id."""
    found = knowledge.red_flags.assess(text, knowledge.vocabulary).flag
    return found.id if found else None


def test_a_sign_told_as_over_ends_where_the_message_turns_to_another(knowledge: Knowledge) -> None:
    assert raised(knowledge, "my pee was like cola yesterday but it is clear now") is None
    assert raised(knowledge, "pee is clear now but i cant feel my bum when i wipe") == "saddle-numbness"
    assert raised(knowledge, "all fine now, but my husband cant lift his arm and his face is drooping") == "stroke-signs"


def test_words_typed_without_spaces_are_read_apart_unless_they_are_one_word(knowledge: Knowledge) -> None:
    assert raised(knowledge, "cantfeelmybum when i wipe") == "saddle-numbness"
    assert raised(knowledge, "pee is darkbrown after leg day") == "dark-urine"
    # A word the knowledge knows is one word: "deadlifts" are no dead legs.
    assert raised(knowledge, "can feel everything when i wipe, just a cramp after deadlifts") is None


def test_a_story_on_screen_is_talk_unless_the_writers_people_are_in_it(knowledge: Knowledge) -> None:
    assert raised(knowledge, "watching greys anatomy and a guys legs suddenly went weak, what causes that in real life?") is None
    assert raised(knowledge, "watching a film with my dad and his legs suddenly went weak") == "sudden-leg-weakness"
    # The writer who watched is no one in it: the clause that tells the story is talk.
    assert raised(knowledge, "I watched a hospital drama where a man collapsed, and now I worry about my own heart") is None


def test_urgent_reply_comes_before_any_answer(responder: Responder) -> None:
    reply = responder.respond("why does my glute cramp? also I have chest pain")
    assert reply.kind == "urgent"
    assert reply.text.startswith(DEFAULT_EMERGENCY)
    assert "112" in reply.text and "911" in reply.text and "999" in reply.text


def test_self_harm_points_to_a_crisis_line(responder: Responder) -> None:
    reply = responder.respond("I want to end my life")
    assert reply.kind == "urgent" and reply.red_flag == "self-harm"
    assert reply.text.startswith(DEFAULT_CRISIS)
    assert "988" in reply.text


def test_every_example_and_near_miss_of_the_red_flags_file_holds(knowledge: Knowledge) -> None:
    assert failing_examples(Triage(knowledge), KNOWLEDGE_DIR / "red-flags.yaml") == []
    assert sum(len(flag.examples) for flag in knowledge.red_flags) >= 300


def test_a_question_about_a_sign_gets_the_usual_reply_and_what_to_do_if_it_is_happening(
        responder: Responder) -> None:
    reply = responder.respond("what are the signs of a stroke")
    assert reply.kind == "fallback"
    assert responder.config.texts.sign_note in reply.text
    assert reply.text.endswith(responder.config.texts.disclaimer)


def test_a_follow_up_never_outweighs_a_red_flag(responder: Responder) -> None:
    first = responder.respond("what causes glute cramps")
    reply = responder.respond("and now my chest is crushing", first.conversation)
    assert reply.kind == "urgent" and reply.red_flag == "chest-pain"
    # ...and a follow-up of small words alone tells no sign ("and right now?" once got the crisis line).
    assert responder.respond("and right now?", first.conversation).kind != "urgent"
    assert responder.respond("like right now tho", first.conversation).kind != "urgent"


def test_the_urgency_model_read_back_from_the_cache_gives_the_same_answers(
        knowledge: Knowledge, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    ordinary = ("what causes glute cramps", "hello")
    trained = _train(knowledge.red_flags, knowledge.vocabulary, ordinary)
    assert list((tmp_path / "health-faq-bot").glob("urgency-*.npz"))
    read_back = _train(knowledge.red_flags, knowledge.vocabulary, ordinary)
    features = ["leg", "power", "off"]
    assert trained is not None and read_back is not None and read_back is not trained
    assert list(trained.probabilities(features)) == list(read_back.probabilities(features))


def test_the_model_catches_what_the_rules_do_not_word_for_word(responder: Responder) -> None:
    message = "someone switched the electricity off in my right leg an hour ago, it just hangs there"
    assert responder.triage.red_flags.assess(message, responder.knowledge.vocabulary).flag is None
    assert responder.respond(message).kind == "urgent"


@pytest.mark.parametrize("message", ["voice to text sorry. chess hurting real bad going down my arm started 10 mins ago",
                                     "daughter fever cant bend neck keeps vomiting"])
def test_a_medical_emergency_the_model_catches_gets_the_emergency_reply(responder: Responder, message: str) -> None:
    assert responder.triage.red_flags.assess(message, responder.knowledge.vocabulary).flag is None
    reply = responder.respond(message)
    assert reply.kind == "urgent" and reply.body == responder.config.texts.emergency


def test_a_question_that_only_imagines_a_sign_is_talk_but_the_same_sign_now_is_urgent(responder: Responder) -> None:
    imagined = responder.respond("if grandma falls and can't stand, should we try to lift her?")
    assert imagined.kind != "urgent" and responder.config.texts.sign_note in imagined.text
    happening = responder.respond("grandma fell and can't stand, should we try to lift her?")
    assert happening.kind == "urgent" and happening.red_flag == "injury-cannot-walk"


def test_a_sign_only_imagined_raises_no_alarm_from_rules_or_model(responder: Responder) -> None:
    reply = responder.respond("say I slip on the ice this winter and can't get up, what's the right thing to do")
    assert reply.kind != "urgent"


def test_thoughts_of_self_harm_are_never_explained_away_as_imagined(responder: Responder) -> None:
    reply = responder.respond("if i ever kill myself my family would be better off")
    assert reply.kind == "urgent" and reply.red_flag == "self-harm"


@pytest.mark.parametrize("text", ["what's the point in living anymore",
                                  "what's the most painless way to go to sleep and not wake up",
                                  "how can i help myself i want to die"])
def test_a_question_that_says_a_crisis_is_one(responder: Responder, text: str) -> None:
    reply = responder.respond(text)
    assert reply.kind == "urgent" and reply.red_flag == "self-harm"


@pytest.mark.parametrize("text", ["what are the warning signs of suicide",
                                  "for my first aid course, what are the signs someone might be suicidal?",
                                  "how do i know if my son is suicidal"])
def test_a_question_about_self_harm_as_a_topic_gets_the_usual_reply(responder: Responder, text: str) -> None:
    reply = responder.respond(text)
    assert reply.kind != "urgent" and responder.config.texts.crisis_note in reply.text


@pytest.mark.parametrize("text", ["gave my dog to my neighbour today. feel weirdly calm.",
                                  "is it selfish to go early? kids are asleep, wrote them each a letter."])
def test_a_hint_of_a_crisis_with_a_second_sign_in_another_sentence_is_one(responder: Responder, text: str) -> None:
    assert responder.respond(text).red_flag == "self-harm"


def test_a_crisis_hint_in_a_question_and_its_second_sign_in_another_sentence_is_one(responder: Responder) -> None:
    assert responder.respond("whats the lethal dose of magnesium? i mean for me. tonight").red_flag == "self-harm"


def test_a_figure_of_speech_tells_no_setting(responder: Responder) -> None:
    assert responder.respond("gonna sleep forever after this leg day lol. why am i so tired").kind != "urgent"


def test_permanent_damage_from_a_cramp_is_not_a_crisis(responder: Responder) -> None:
    assert responder.respond("can glute cramps damage the muscle permanently?").kind != "urgent"
    assert responder.respond("i just want it all to stop. permanently.").red_flag == "self-harm"


@pytest.mark.parametrize("text, flag", [
    ("i think i am a suicide risk tonight", "self-harm"),
    ("doc said all fine yesterday but today my chest is crushing", "chest-pain"),
    ("last time it was indigestion but this chest pain is much worse", "chest-pain"),
    ("my pee is a bit darker and my thighs are agony after the marathon", "dark-urine"),
    ("grandma fell and cant get up what should we do if she gets worse", "injury-cannot-walk"),
    # A sign of a stroke that has passed is still one: no reassurance hides it.
    ("my face drooped and my speech was slurred for ten minutes, gone now", "stroke-signs"),
    ("my face drooped and speech slurred for a bit, back to normal after a minute", "stroke-signs"),
    ("slurred speech again today, all tests normal last week", "stroke-signs"),
    ("my husband thought it was a heart attack, he is clutching his chest", "chest-pain"),
])
def test_no_reassurance_figure_of_speech_or_later_if_hides_a_sign_happening_now(responder: Responder, text: str,
                                                                       flag: str) -> None:
    reply = responder.respond(text)
    assert reply.kind == "urgent" and reply.red_flag == flag


@pytest.mark.parametrize("text", [
    "my dad collapsed what do i do if he stops breathing",
    "what do i do while waiting for the ambulance my husband isnt breathing properly",
    "what do i do if i cant feel my legs",
    "im not all fine my chest is crushing",
    "my friend passed out laughing and hasnt woken up",
    "nurse here patient in bed 4 has crushing chest pain?",
    "suspected dvt calf hot and swollen?",
    "is it normal to faint from a bum cramp? just happened to me",
    "Good evening doctor, my buttocks was cramping and now the place I use to sit down has no feeling at all",
    "cnt breath pls help",
    "bone poking through the skin after i fell off the trampoline",
])
def test_a_sign_happening_now_is_urgent_however_the_question_is_framed(responder: Responder, text: str) -> None:
    assert responder.respond(text).kind == "urgent"


@pytest.mark.parametrize("text, flag", [
    ("my nephew cut his arm on a window, blood pouring and the towel is soaked through", "severe-bleeding"),
    ("twelve weeks pregnant and bleeding with cramps", "severe-bleeding"),
    ("my little girl swallowed some of grandad's pills", "poisoning-overdose"),
    ("there's a noose in my brother's wardrobe and he won't open his door", "self-harm"),
    ("how many floors would I need to jump from", "self-harm"),
    ("grandad's speech has gone strange and he keeps dropping his spoon", "stroke-signs"),
    # An overdose is not over because the person feels fine (`passes: false`); a whole strip of
    # pills is read as a crisis first.
    ("my flatmate swallowed a whole strip of her sleeping pills at lunch, she says she's fine now", "self-harm"),
    ("took loads of my nan's heart tablets by mistake this morning, all good now i think", "poisoning-overdose"),
    ("my son gashed his leg on the fence and blood is squirting out", "severe-bleeding"),
    ("took 20 paracetamol today for my bum pain", "poisoning-overdose"),
    ("bitten by a snake on the trail, leg swelling", "poisoning-overdose"),
    ("husband has a fever and now he's confused and his skin looks mottled", "infection-signs"),
    ("rash that doesn't fade under a glass and a temperature", "infection-signs"),
    ("been out in the sun all day, stopped sweating and feel confused", "infection-signs"),
    ("my foot has gone white and cold and it's agony", "cold-pale-leg"),
    ("nan banged her head on the floor, she's on warfarin and now drowsy", "head-injury"),
    ("sudden agonising pain in my belly and I keep throwing up", "severe-belly-pain"),
    ("car crash an hour ago, neck hurts and my hands are tingling", "injury-cannot-walk"),
    ("32 weeks pregnant and my waters just broke", "pregnancy-emergency"),
    ("my toddler rolled off the sofa and now she's floppy and being sick", "head-injury"),
    ("someone spiked my drink and I can barely move", "poisoning-overdose"),
    ("mum says it's indigestion but she's grey and clammy and being sick", "chest-pain"),
    ("my jaw is locked and I cannot open my mouth, back muscles in spasm", "infection-signs"),
    ("took 30 quinine tabs", "poisoning-overdose"),
    ("everyone at home has a headache and feels sick, the boiler has been playing up", "poisoning-overdose"),
    ("new supplement and now hives everywhere and wheezing", "trouble-breathing"),
    ("fell this morning, my thigh is black and blue and getting bigger and I feel dizzy", "severe-bleeding"),
    ("my period is late and I have a sharp pain low down on one side", "severe-belly-pain"),
    ("my 3 year old drank some washing up liquid", "poisoning-overdose"),
    ("pulled my son out of the pool, he is coughing and very sleepy", "trouble-breathing"),
    ("got oven cleaner in my eyes and they are burning", "eye-injury"),
    ("just got stabbed in the leg", "severe-bleeding"),
    ("baby born at home a few minutes ago, not crying and floppy", "pregnancy-emergency"),
    # A decimal point does not end a sentence: "temp 39.2" and the shivering after it are read together.
    ("chemo last week, now temp 39.2 and shivering under 3 blankets", "infection-signs"),
    ("found my nan's tablets in my toddler's mouth, he's sleepy", "poisoning-overdose"),
    ("not pooped or farted for 3 days and vomiting brown stuff", "severe-belly-pain"),
    ("I was raped last night and I don't know what to do", "sexual-assault"),
    ("a monkey at the temple bit me through my shirt", "poisoning-overdose"),
    ("took my insulin twice by accident", "poisoning-overdose"),
    ("cut my finger off with the table saw", "injury-cannot-walk"),
    # A bystander who cannot tell; a fall with no answer; a knock to the head, then sick and forgetful.
    ("grandad went grey in his chair, not sure he is breathing", "trouble-breathing"),
    ("my mate dropped on the pitch, no response when we shout", "fainting"),
    ("smacked my head on the van door, keep forgetting things and puked", "head-injury"),
    # The dropped g of speech is read as written in full: "jerkin" is "jerking".
    ("my brother is still jerkin on the floor after 5 mins", "fainting"),
    ("tummy agony and hard as a board", "severe-belly-pain"),
    ("dad grey n clammy and his jaw aches", "chest-pain"),
    ("i think someone spiked my drink", "poisoning-overdose"),
    ("itchy all over with hives and dizzy after a wasp sting", "trouble-breathing"),
    ("type 1 on insulin, shaky and sweaty, cant think straight", "diabetes-emergency"),
])
def test_emergencies_beyond_the_article_send_to_emergency_care(responder: Responder, text: str, flag: str) -> None:
    reply = responder.respond(text)
    assert reply.kind == "urgent" and reply.red_flag == flag


@pytest.mark.parametrize("text", [
    "how many magnesium tablets is too many?",
    "been killing myself in the gym all month, why do my glutes keep cramping?",
    "felt faint after a hard spin class this morning, all fine now, why did my glutes cramp?",
    "mum's face looked lopsided in one picture but it was just the lighting, she's fine",
    "had a fever last month with flu, all fine now, do fevers cause cramps?",
    "that cramp nearly gave me a stroke lol, how do I stop night cramps",
    "does poor blood flow cause glute cramps?",
    "my glutes went into full seizure mode on the last set, how do I stop that?",
    "can you get glute cramps when pregnant?",
    "heart attack inducing cramp last night lol, gone now, how do I stop it coming back",
    "is rhabdo a real risk for beginners doing crossfit?",
    "is it safe to take potassium tablets every day?",
    "I take all my tablets in the morning, can that cause cramps?",
    "are all the magnesium tablets the same?",
    "bum cramp feels like someone stabbed me for a second, then goes, what is it?",
    "had a seizure when I was a kid, no problems since. can cramps be a seizure?",
    "i think i overdosed on hill sprints this weekend haha, glutes tight as a drum",
    "What should I do if someone faints next to me at the gym? Want to be prepared",
    # Words a crisis also uses need a second sign of one.
    "this is my last question, promise",
    "I dont want to be a burden to my physio, what can I do at home?",
    "my day could not be better, but why do my glutes cramp at night?",
    "I have my stretches lined up for tonight, which is best?",
    "my glute cramps when jumping off the box at crossfit",
    "I wrote a note of my symptoms for the doctor, what else should I mention?",
    "gave my dog a long walk and now my bum cramps",
    "my boss is giving me chest pains with these deadlines, anyway why do my glutes cramp",
    "if one of my pupils faints in PE what do i do first? asking for a course",
    "sweat buckets on shift, soaked through by lunch, and my glutes cramp in the afternoon",
    "soaked my t shirt with sweat at the gym, glutes cramping",
    "glute locked up at the 2k mark and I had to hang on the lane rope, how do I get it to let go?",
    "is there a link between sitting cross-legged on the floor and bum cramps?",
    "face feels weird from the dentist numbin, wearin off",
    "my glute went hard as a board on the bike, how do I ease it",
    "dark pee this morning, had not drunk much, clear now after water",
])
def test_look_alikes_of_those_emergencies_get_the_usual_reply(responder: Responder, text: str) -> None:
    assert responder.respond(text).kind != "urgent"


def test_a_rule_term_with_choices_stands_for_each_choice() -> None:
    (group,) = parse_rule("bitten by a (snake/funnel web spider)")
    assert {term.words for term in group} == {("bitten", "by", "a", "snake"),
                                              ("bitten", "by", "a", "funnel", "web", "spider")}


@pytest.mark.parametrize("text, flag", [
    ("I'm 30 weeks pregnant. I have a bad headache and I'm seeing flashing lights", "pregnancy-emergency"),
    ("On chemo, day 10 of the cycle. Temp just now 38.6 and shivering.", "infection-signs"),
    ("Went scuba diving this morning. Now my legs are tingling", "sudden-leg-weakness"),
    # The recent past still holds.
    ("fever 39.8, had chemo last week. just a bit shivery.", "infection-signs"),
])
def test_a_setting_told_in_one_sentence_and_signs_in_the_next_raise_the_flag(knowledge: Knowledge, text: str,
                                                                              flag: str) -> None:
    found = knowledge.red_flags.assess(text, knowledge.vocabulary).flag
    assert found is not None and found.id == flag


def test_overdose_is_a_topic_only_for_what_no_one_overdoses_on_by_intent(responder: Responder) -> None:
    topic = responder.respond("can you overdose on magnesium? how many 250mg tablets is too many in a day")
    assert topic.kind != "urgent" and responder.config.texts.crisis_note in topic.text
    assert responder.respond("can u overdose on amitriptyline? took 30 about an hour ago bc i couldnt cope").kind == "urgent"


@pytest.mark.parametrize("text", ["I had chemo years ago. Now I get a fever after long runs, why?",
                                  "I'm not pregnant. I get a bad headache after squats"])
def test_a_setting_that_is_over_or_denied_raises_nothing_from_the_next_sentence(knowledge: Knowledge,
                                                                               text: str) -> None:
    assert knowledge.red_flags.assess(text, knowledge.vocabulary).flag is None


def test_those_words_with_a_second_sign_are_a_crisis(responder: Responder) -> None:
    reply = responder.respond("this is my last message to anyone. goodbye forever")
    assert reply.kind == "urgent" and reply.red_flag == "self-harm"
