/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/grave.c: deferred frees. While a card call of a token is in flight the
 * module lock is released (cardcall.c), and the caller keeps pointers to its
 * session, operation and key object across the call. Another thread may close
 * that session, end that operation, destroy objects or drop the token (card
 * pulled) meanwhile: what belongs to a token with calls in flight is taken out of
 * the tables at once (invisible to everybody) but freed only at the first
 * tsr_leave after the token's last call, under the module lock. A caller that
 * holds the module lock from the end of its call to its own tsr_leave therefore
 * never sees freed memory.
 */
#include "config.h"

#include "src/tsr.h"

#include <stdlib.h>

struct tsr_grave {
	enum tsr_grave_kind kind;
	void *p;
};

static void
tsr_grave_free (enum tsr_grave_kind kind, void *p)
{
	switch (kind) {
	case TSR_GRAVE_OBJECT: tsr_object_free (p); break;
	case TSR_GRAVE_SESSION: tsr_session_free (p); break;
	case TSR_GRAVE_OP: tsr_op_free (p); break;
	}
}

void
tsr_retire_inlock (struct tsr_token *owner, enum tsr_grave_kind kind, void *p)
{
	struct tsr_grave *g;

	if (p == NULL)
		return;
	if (owner == NULL || owner->calls == 0)
		goto now;
	if (owner->n_graves == owner->graves_cap) {
		size_t cap = owner->graves_cap ? owner->graves_cap * 2 : 16;
		g = realloc (owner->graves, cap * sizeof *g);
		if (g == NULL) {
			/* Out of memory: leak rather than free what a card call may still use. */
			tsr_log ("p11", "out of memory: a retired %d is leaked", (int)kind);
			return;
		}
		owner->graves = g;
		owner->graves_cap = cap;
	}
	owner->graves[owner->n_graves].kind = kind;
	owner->graves[owner->n_graves].p = p;
	owner->n_graves++;
	return;
now:
	tsr_grave_free (kind, p);
}

static void
tsr_token_bury_inlock (struct tsr_token *token)
{
	size_t i;

	for (i = 0; i < token->n_graves; i++)
		tsr_grave_free (token->graves[i].kind, token->graves[i].p);
	free (token->graves);
	token->graves = NULL;
	token->n_graves = token->graves_cap = 0;
}

void
tsr_token_retire_inlock (struct tsr_token *token)
{
	struct tsr_token **dead;

	if (token == NULL)
		return;
	/* Always deferred: the caller (a card call that found the card gone, say) may still
	 * hold the token until its tsr_leave. */
	token->dead = true;
	dead = realloc (tsr.dead_tokens, (tsr.n_dead_tokens + 1) * sizeof *dead);
	if (dead == NULL) {
		tsr_log ("p11", "out of memory: a dropped token is leaked");
		return;
	}
	tsr.dead_tokens = dead;
	tsr.dead_tokens[tsr.n_dead_tokens++] = token;
}

struct tsr_token *
tsr_slot_owner_inlock (CK_SLOT_ID slot_id)
{
	struct tsr_slot *slot = tsr_slot_get_inlock (slot_id);

	return slot != NULL ? slot->token : NULL;
}

void
tsr_graves_flush_inlock (void)
{
	size_t i = 0;

	for (i = 0; i < tsr.n_slots; i++) {
		struct tsr_token *t = tsr.slots[i]->token;
		if (t != NULL && t->calls == 0 && t->n_graves > 0)
			tsr_token_bury_inlock (t);
	}
	i = 0;
	while (i < tsr.n_dead_tokens) {
		struct tsr_token *t = tsr.dead_tokens[i];
		if (t->calls > 0) {
			i++;
			continue;
		}
		tsr_token_bury_inlock (t);
		tsr_token_free (t);
		tsr.dead_tokens[i] = tsr.dead_tokens[--tsr.n_dead_tokens];
	}
	if (tsr.n_dead_tokens == 0) {
		free (tsr.dead_tokens);
		tsr.dead_tokens = NULL;
	}
}
