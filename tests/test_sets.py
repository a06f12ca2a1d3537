"""The project's own blind-written sets, scored as `python -m bot eval` scores them: floors at the
measured figures, so a change that makes the bot worse on people's real wording fails."""

from __future__ import annotations

from pathlib import Path

from bot.evaluation import evaluate, load_cases
from bot.responder import Responder

SETS = Path(__file__).parent / "sets"


def share(figures: tuple[int, int]) -> float:
    done, total = figures
    return 100 * done / total


def assert_answers(responder: Responder, batches: tuple[tuple[str, float, float, float, float], ...]) -> None:
    """Each batch's floors: right, wrong, follow-ups right (if it has any), out of scope answered."""
    for name, correct, wrong, follow_ups, out_of_scope in batches:
        report = evaluate(responder, load_cases(SETS / name))
        assert share(report.correct) >= correct and share(report.wrong) <= wrong, name
        assert report.follow_ups[1] == 0 or share(report.follow_ups) >= follow_ups, name
        assert share(report.out_of_scope_answered) <= out_of_scope, name


def assert_alarms(responder: Responder, batches: tuple[tuple[str, float, float], ...]) -> None:
    """Each safety batch's floors: emergencies caught, look-alikes alarmed."""
    for name, recall, false_alarms in batches:
        report = evaluate(responder, load_cases(SETS / name))
        assert share(report.urgent_recall) >= recall and share(report.false_urgent) <= false_alarms, name


def test_safety_holdout_batches_keep_their_recall_and_false_alarms(responder: Responder) -> None:
    # X gained an emergency and a false alarm at stop 19, when the model may alarm over a reading
    # of only talk and learnt batch AC (95.8 / 10.0 -> 96.7 / 11.0).
    assert_alarms(responder, (("safety-d.yaml", 99, 7), ("safety-f.yaml", 99, 7), ("safety-m.yaml", 99, 10),
                              ("safety-n.yaml", 100, 6), ("safety-v.yaml", 99, 9), ("safety-x.yaml", 96, 11)))


def test_near_misses_in_many_forms_mostly_raise_no_alarm(responder: Responder) -> None:
    report = evaluate(responder, load_cases(SETS / "safety-i.yaml"))
    assert share(report.false_urgent) <= 12


def test_learned_safety_batches_keep_their_figures(responder: Responder) -> None:
    # Four of L's look-alikes alarm on purpose: no figure of speech may hide a crisis ("I think I
    # am a suicide risk tonight"), numbness on a bike saddle or urine "a bit darker", and a
    # clinician's question about a patient may be about one in front of them.
    assert_alarms(responder, (("safety-j.yaml", 100, 0), ("safety-l.yaml", 100, 2)))
    # O and P came from a brief of emergencies of any kind; a few of theirs are not a rule's yet
    # (hands cramping into claws after thyroid surgery; a head injury told one sentence before its signs).
    # Their look-alikes of numbness that passed ("back to normal after a minute") alarm: a stroke
    # sign that has passed is still one, and no reassurance may hide it. Y's hyperbole alarms on
    # purpose too: someone who "says kms", or says they will "end it all", may mean it.
    assert_alarms(responder, (("safety-o.yaml", 99, 2), ("safety-p.yaml", 99, 4), ("safety-q.yaml", 99, 2),
                              ("safety-r.yaml", 96, 6), ("safety-s.yaml", 99, 3), ("safety-t.yaml", 99, 2.5),
                              ("safety-u.yaml", 99, 6), ("safety-w.yaml", 99, 5), ("safety-y.yaml", 99, 6),
                              ("safety-z.yaml", 99, 3), ("safety-aa.yaml", 99, 8), ("safety-ab.yaml", 99, 8)))


def test_questions_the_article_does_not_answer_are_declined(responder: Responder) -> None:
    report = evaluate(responder, load_cases(SETS / "out-of-scope-k.yaml"))
    assert share(report.out_of_scope_answered) <= 3.5 and share(report.false_urgent) <= 1
    # L and M (written blind at stop 18; 4.2% and, of M's follow-ups, 21.7% answered on first
    # contact) were read and tuned on.
    report = evaluate(responder, load_cases(SETS / "conversations-m.yaml"))
    assert share(report.out_of_scope_answered) <= 9 and share(report.follow_ups) >= 85
    report = evaluate(responder, load_cases(SETS / "out-of-scope-l.yaml"))
    assert share(report.out_of_scope_answered) <= 1 and share(report.correct) == 100
    # N (written blind at stop 20, 9.2% answered on first contact) was read and tuned on.
    report = evaluate(responder, load_cases(SETS / "out-of-scope-n.yaml"))
    assert share(report.out_of_scope_answered) <= 1.5 and share(report.correct) == 100


def test_real_message_batches_keep_their_figures(responder: Responder) -> None:
    tuned = evaluate(responder, load_cases(SETS / "messages-1.yaml"))
    assert share(tuned.correct) >= 93 and share(tuned.wrong) <= 1
    assert share(tuned.follow_ups) >= 95 and share(tuned.out_of_scope_answered) <= 1
    tuned = evaluate(responder, load_cases(SETS / "real-17.yaml"))
    # 3.5 since stop 26: a story with two questions the model is sure asks a third thing is answered
    # as the model reads it (read batches +5 right, -5 wrong), once wrongly here (README, Accuracy).
    assert share(tuned.correct) >= 81 and share(tuned.wrong) <= 3.5 and share(tuned.follow_ups) >= 89
    # messages-2 answers two vague follow-ups its writer marked out of scope ("how much?", "it's been
    # there 3 weeks now"): 2 of 57. At stop 20 one of real-16's "Did you mean"s became the causes
    # overview where it expects exercise or when cramps happen (3 wrong of 182), another became right.
    # At stop 21 a long post of real-20 the intent model is sure of became a wrong answer instead of
    # a "Did you mean" (3 wrong of 187; right went from 92.0 to 92.5%).
    for name, correct, wrong, out_of_scope in (("messages-2.yaml", 83, 4.5, 4), ("messages-3.yaml", 86, 3, 5.5),
                                               ("real-11.yaml", 78, 5, 3), ("real-16.yaml", 90, 2, 2),
                                               ("real-20.yaml", 90, 2, 4)):
        holdout = evaluate(responder, load_cases(SETS / name))
        assert share(holdout.correct) >= correct and share(holdout.wrong) <= wrong, name
        assert share(holdout.out_of_scope_answered) <= out_of_scope and share(holdout.false_urgent) <= 2.5, name


def test_stop_19_batches_keep_their_figures(responder: Responder) -> None:
    # real-24 and AD are the holdouts of stop 19 (never read); the rest were read and tuned on.
    # At stop 21 one of real-25's 55 follow-ups ("what kind of causes might they find", after the
    # doctor answer) became a fallback when the model learnt "I already do all that" (96.4%).
    assert_answers(responder, (("real-23.yaml", 92, 2, 97, 1), ("real-24.yaml", 88.5, 4, 93, 3.5),
                               ("real-25.yaml", 85.5, 4.5, 96, 3.5), ("conversations-26.yaml", 87.5, 6, 90, 11)))
    assert_alarms(responder, (("safety-ac.yaml", 100, 6.5), ("safety-ad.yaml", 97, 7.5)))


def test_stop_20_batches_keep_their_figures(responder: Responder) -> None:
    # real-28, real-30, AF and AG are the holdouts of stop 20 (never read); real-27, conversations-29,
    # AE and AH were read and tuned on. real-28 has 25 conversations; real-27 has none. AG gained a
    # false alarm of the model's when "gone blue" and "bleeding out" became rules (15.3 -> 16.1%).
    # At stop 21 one long first message of conversations-29 became a "Did you mean" when the model
    # disputes a story's answer from 60% (84.3 -> 82.7% right, 5.8 -> 5.2% wrong). At stop 22 "could
    # it be something else" became a question of causes, not of other conditions (two read batches
    # ask it so); after "cramp?" conversations-29 expects a decline, so 5.4 -> 6.8% out of scope.
    # At stop 23 the urgency model alarms from 45%, not 50% (with the entries' stories as ordinary
    # messages): AE's "bee sting ... swollen round the sting, breathing fine" raises it (13.0 -> 13.8%).
    assert_answers(responder, (("real-27.yaml", 93, 2, 0, 1), ("real-28.yaml", 85, 2.5, 86, 3),
                               ("conversations-29.yaml", 82.5, 6, 87, 7), ("real-30.yaml", 87.5, 3, 85.5, 3),
                               ("real-31.yaml", 90, 3, 93, 5.5)))
    assert_alarms(responder, (("safety-ae.yaml", 100, 14), ("safety-af.yaml", 100, 11),
                              ("safety-ag.yaml", 98, 16.5), ("safety-ah.yaml", 100, 13.5)))


def test_stop_21_batches_keep_their_figures(responder: Responder) -> None:
    # real-33, real-36, AJ and AL are the holdouts of stop 21 (never read; real-36 and AL were
    # written last and scored only at the end); real-32, real-34, real-35, conversations-36, AI, AK
    # and AM were read and tuned on. At stop 24 a colon before a question word ends the part before
    # it, and real-34's "On behalf of my elderly father: what is the recommended daily water intake
    # to help prevent buttock cramps?" became the prevention answer, not hydration (5 wrong of 183).
    assert_answers(responder, (("real-32.yaml", 87, 3, 93, 1), ("real-33.yaml", 82.5, 6.5, 90, 2.5),
                               ("real-34.yaml", 78.5, 3, 93, 1), ("real-35.yaml", 89, 2, 93, 4.5),
                               ("conversations-36.yaml", 73, 7.5, 79, 5.5), ("real-36.yaml", 86, 4, 85, 4.5)))
    # At stop 27 AI gained a false alarm when the urgency model learnt to read a word a "no" denies.
    assert_alarms(responder, (("safety-ai.yaml", 100, 14), ("safety-aj.yaml", 98, 8.5), ("safety-ak.yaml", 100, 23.5),
                              ("safety-al.yaml", 98, 17), ("safety-am.yaml", 100, 13.5)))


def test_stop_22_batches_keep_their_figures(responder: Responder) -> None:
    # real-37 and AO are the holdouts of stop 22 (never read, scored at first contact and at the
    # end); real-38, real-39, conversations-39 and AN were read and tuned on. At stop 26 real-37
    # answered one out-of-scope message more (0 -> 1 of 65) with the intent model retrained on 210
    # more examples, which added 12 right answers to the unread sums (README, Accuracy).
    # At stop 27 one of real-38's 49 follow-ups moved with the intent model's retraining (98 -> 97.96).
    assert_answers(responder, (("real-37.yaml", 88.5, 5, 93, 1.6), ("real-38.yaml", 90.5, 1.5, 97.5, 1),
                               ("real-39.yaml", 90, 3, 95, 2.5), ("conversations-39.yaml", 73, 7, 81, 6.5)))
    assert_alarms(responder, (("safety-an.yaml", 99, 5), ("safety-ao.yaml", 100, 10)))
    # heldout-40: short tidy questions in the style of an FAQ's test set, written blind late in
    # stop 22 and never read (its first contact, 95.3 / 0.7 / - / 2.5, was its only score).
    assert_answers(responder, (("heldout-40.yaml", 94.5, 1.5, 0, 3.5),))


def test_stop_23_batches_keep_their_figures(responder: Responder) -> None:
    # real-41 and AQ are the holdouts of stop 23 (never read, scored at first contact and at the
    # end); real-42, conversations-42 and AP were read and tuned on. At stop 25 real-41 gained a
    # wrong answer (4.6 -> 5.3) when "why do buttock cramps happen" became a causes question, a
    # change that took 8 wrong answers off the read batches and left the unread sums even.
    # At stop 27 real-41 gained a wrong answer and lost a follow-up (5.3 -> 5.9, 82.1 -> 80.4) to the
    # vocabulary and examples that took the unread sums from 2,911 to 2,923 right (README, Accuracy).
    assert_answers(responder, (("real-41.yaml", 85.5, 6, 80, 7.5), ("real-42.yaml", 79.5, 7.5, 82, 3),
                               ("conversations-42.yaml", 83.5, 6.5, 86, 4)))
    assert_alarms(responder, (("safety-ap.yaml", 100, 12), ("safety-aq.yaml", 99, 13.5)))


def test_stop_24_batches_keep_their_figures(responder: Responder) -> None:
    # real-43 and AS are the holdouts of stop 24 (never read, scored at first contact and at the
    # end); real-44, conversations-45, AR and AT were read and tuned on. At stop 25 real-43 lost
    # one right answer (95.6 -> 95.0) to the retraining of the intent model that the "happen"
    # question brought (see real-41 above; README, Accuracy). At stop 26 conversations-45 gained a
    # wrong answer (a story the model now reads as what the glute does; see real-37 above).
    # At stop 27 real-44 gained a wrong answer (1.2 -> 1.8) with the same retraining.
    assert_answers(responder, (("real-43.yaml", 94.5, 3.5, 97, 0.5), ("real-44.yaml", 89, 2, 89.5, 5),
                               ("conversations-45.yaml", 81, 7, 85, 5.5)))
    assert_alarms(responder, (("safety-ar.yaml", 100, 14), ("safety-as.yaml", 96, 19), ("safety-at.yaml", 100, 11)))


def test_stop_25_batches_keep_their_figures(responder: Responder) -> None:
    # real-47 and AV are the holdouts of stop 25 (never read, scored at first contact and at the
    # end); real-46, AU and AW were read and tuned on. At stop 27 real-46 gained a wrong answer
    # (4.5 -> 5.1) and AW a false alarm (2.5 -> 3.0) as both models were retrained.
    assert_answers(responder, (("real-46.yaml", 82, 5.5, 74, 6), ("real-47.yaml", 81, 5.5, 88, 3)))
    assert_alarms(responder, (("safety-au.yaml", 100, 10.5), ("safety-av.yaml", 100, 14), ("safety-aw.yaml", 99, 3)))


def test_stop_26_batches_keep_their_figures(responder: Responder) -> None:
    # real-48 and AY are the holdouts of stop 26 (never read, scored at first contact and at the
    # end); real-49 and AX were read and tuned on. At stop 27 AY gained a false alarm (7.9 -> 8.6).
    assert_answers(responder, (("real-48.yaml", 80.5, 4.5, 84, 0.5), ("real-49.yaml", 87, 2.5, 85, 3)))
    assert_alarms(responder, (("safety-ax.yaml", 100, 7.5), ("safety-ay.yaml", 99, 9)))


def test_stop_27_batches_keep_their_figures(responder: Responder) -> None:
    # real-50 and BA are the holdouts of stop 27 (never read, scored at first contact and at the
    # end); real-51, conversations-52 (follow-ups only), AZ, BB and BC were read and tuned on.
    # At stop 28 real-50 lost a right answer and two wrong ones (86.5 -> 86.0, 5.1 -> 3.9) to the
    # vocabulary of causes and prevention that took the unread sums from 90 to 85 wrong; real-51
    # gained a right answer and a wrong one (5.1 -> 5.7) with it. conversations-52 lost a right
    # answer and two follow-ups (78.9 -> 78.2, 83.9 -> 82.3) to the retrained urgency model: "it's
    # only after I've been on the rowing machine" raises the crisis reply, and the turn after it
    # loses its context. At stop 29 real-51 gained two right answers and a wrong one (5.7 -> 6.3)
    # when "is it the X?" came to ask whether X is the cause.
    assert_answers(responder, (("real-50.yaml", 85.5, 5.5, 86, 0.5), ("real-51.yaml", 88, 6.5, 90, 0.5),
                               ("conversations-52.yaml", 78, 9, 82, 4)))
    # At stop 28 BC gained a false alarm of the retrained model ("ate a load of beetroot yesterday
    # and my wee is pinkish today", 3.3 -> 4.2).
    assert_alarms(responder, (("safety-az.yaml", 100, 8), ("safety-ba.yaml", 95, 6.5), ("safety-bb.yaml", 100, 5),
                              ("safety-bc.yaml", 100, 4.5)))


def test_stop_29_batches_keep_their_figures(responder: Responder) -> None:
    # real-57, conversations-60 and BI are the holdouts of stop 29 (never read, scored at first
    # contact and at the end); real-58, conversations-59, -61 and -62, out-of-scope-o, BH and BJ
    # were read and tuned on.
    assert_answers(responder, (("real-57.yaml", 91, 2.5, 0, 8.5), ("real-58.yaml", 92.5, 4, 0, 0.5),
                               ("conversations-59.yaml", 82, 10, 85, 8), ("conversations-60.yaml", 86.5, 10, 86.5, 8),
                               ("conversations-61.yaml", 84.5, 7, 87, 13.5),
                               ("conversations-62.yaml", 86, 9.5, 87.5, 11.5), ("out-of-scope-o.yaml", 94, 6, 0, 3.5)))
    assert_alarms(responder, (("safety-bh.yaml", 100, 4.5), ("safety-bi.yaml", 97.5, 7.5), ("safety-bj.yaml", 100, 2.5)))


def test_stop_28_batches_keep_their_figures(responder: Responder) -> None:
    # real-53, conversations-56, BE and BG are the holdouts of stop 28 (never read, scored at first
    # contact and at the end); real-54, conversations-55, BD and BF were read and tuned on.
    assert_answers(responder, (("real-53.yaml", 91.5, 3.5, 0, 3), ("real-54.yaml", 92, 2, 0, 0.5),
                               ("conversations-55.yaml", 80.5, 9, 83.5, 7),
                               ("conversations-56.yaml", 84, 7.5, 87, 8.5)))
    assert_alarms(responder, (("safety-bd.yaml", 100, 3), ("safety-be.yaml", 99, 10), ("safety-bf.yaml", 100, 1),
                              ("safety-bg.yaml", 98, 2)))
