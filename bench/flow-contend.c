/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/flow-contend.c: "p11bench MODULE contend SECONDS": how long calls that need no card
 * wait while another thread uses the card. One thread signs with the 9A key (CKA_ID 01)
 * without pause; for SECONDS the main thread times, every 2 ms, C_GetAttributeValue(CKA_VALUE)
 * of a certificate it has already read and C_GetSlotList. Median and 99th percentile of
 * each, and the same without the signer (50 samples first) for reference.
 */
#include "bench/p11bench.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define PAUSE_MS 2.0
#define IDLE_SAMPLES 50

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool stop;        /* lock */
static long signatures;  /* lock: done so far */
static CK_RV signer_rv;  /* lock: the first failure */

struct signer {
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_MECHANISM_TYPE mech;
	bool always;
};

static void *signer_main(void *arg)
{
	const struct signer *sg = arg;
	bool done = false;
	CK_RV rv;

	while (!done) {
		rv = bench_sign_once(sg->s, sg->key, sg->mech, sg->always);
		pthread_mutex_lock(&lock);
		if (rv != CKR_OK && signer_rv == CKR_OK)
			signer_rv = rv;
		signatures++;
		done = stop || rv != CKR_OK;
		pthread_cond_broadcast(&cond);
		pthread_mutex_unlock(&lock);
	}
	return NULL;
}

struct samples {
	double *getattr, *slotlist;
	size_t n, cap;
};

/* One sample of each call; false when the arrays are full. */
static bool sample(struct samples *sm, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE cert, uint8_t *buf,
		   CK_ULONG len)
{
	CK_ATTRIBUTE a = { CKA_VALUE, buf, len };
	CK_SLOT_ID slots[16];
	CK_ULONG n = 16;
	double t;

	if (sm->n == sm->cap)
		return false;
	t = bench_now_ms();
	bench_check(p11->C_GetAttributeValue(s, cert, &a, 1), "C_GetAttributeValue(CKA_VALUE)");
	sm->getattr[sm->n] = bench_now_ms() - t;
	t = bench_now_ms();
	bench_check(p11->C_GetSlotList(CK_TRUE, slots, &n), "C_GetSlotList");
	sm->slotlist[sm->n] = bench_now_ms() - t;
	sm->n++;
	bench_sleep_ms(PAUSE_MS);
	return true;
}

static void print_samples(struct samples *sm, const char *suffix)
{
	double p50, p99;
	char name[64];

	bench_percentiles(sm->getattr, sm->n, &p50, &p99);
	snprintf(name, sizeof name, "getattr%s_p50_ms", suffix);
	bench_print(name, "%.3f", p50);
	snprintf(name, sizeof name, "getattr%s_p99_ms", suffix);
	bench_print(name, "%.3f", p99);
	bench_percentiles(sm->slotlist, sm->n, &p50, &p99);
	snprintf(name, sizeof name, "slotlist%s_p50_ms", suffix);
	bench_print(name, "%.3f", p50);
	snprintf(name, sizeof name, "slotlist%s_p99_ms", suffix);
	bench_print(name, "%.3f", p99);
}

/* The first certificate of session S, read once: its handle, value in *BUF (malloc'd, the
 * caller frees it), length in *LEN. */
static CK_OBJECT_HANDLE read_certificate(CK_SESSION_HANDLE s, uint8_t **buf, CK_ULONG *len)
{
	CK_OBJECT_HANDLE cert = bench_find(s, CKO_CERTIFICATE, NULL, 0);
	CK_ATTRIBUTE a = { CKA_VALUE, NULL, 0 };

	if (cert == CK_INVALID_HANDLE)
		bench_die("no certificate");
	bench_check(p11->C_GetAttributeValue(s, cert, &a, 1), "C_GetAttributeValue(CKA_VALUE) size");
	*buf = malloc(a.ulValueLen);
	if (*buf == NULL)
		bench_die("out of memory");
	a.pValue = *buf;
	bench_check(p11->C_GetAttributeValue(s, cert, &a, 1), "C_GetAttributeValue(CKA_VALUE)");
	*len = a.ulValueLen;
	return cert;
}

/* Start the signer and wait for its first signature. */
static void start_signer(pthread_t *t, struct signer *sg)
{
	if (pthread_create(t, NULL, signer_main, sg) != 0)
		bench_die("pthread_create failed");
	pthread_mutex_lock(&lock);
	while (signatures == 0)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

int bench_flow_contend(int argc, char **argv)
{
	static const uint8_t id01[] = { 0x01 };
	struct samples sm = { NULL, NULL, 0, 0 };
	struct signer sg;
	CK_SESSION_HANDLE q;
	CK_OBJECT_HANDLE cert;
	CK_SLOT_ID slot;
	uint8_t *buf = NULL;
	CK_ULONG len = 0;
	double seconds, end;
	long sigs0, sigs1;
	pthread_t t;

	if (argc != 1 || (seconds = atof(argv[0])) <= 0)
		bench_die("usage: p11bench MODULE contend SECONDS");
	sm.cap = (size_t)(seconds * 1e3 / PAUSE_MS) + IDLE_SAMPLES;
	sm.getattr = calloc(sm.cap, sizeof(double));
	sm.slotlist = calloc(sm.cap, sizeof(double));
	if (sm.getattr == NULL || sm.slotlist == NULL)
		bench_die("out of memory");
	bench_initialize();
	slot = bench_token_slot();
	sg.s = bench_session(slot, true);
	sg.key = bench_find(sg.s, CKO_PRIVATE_KEY, id01, sizeof id01);
	if (sg.key == CK_INVALID_HANDLE)
		bench_die("no private key with CKA_ID 01");
	sg.mech = bench_key_mechanism(sg.s, sg.key, &sg.always);
	q = bench_session(slot, false);
	cert = read_certificate(q, &buf, &len);

	while (sm.n < IDLE_SAMPLES)
		sample(&sm, q, cert, buf, len);
	print_samples(&sm, "_idle");
	sm.n = 0;

	start_signer(&t, &sg);
	pthread_mutex_lock(&lock);
	sigs0 = signatures;
	pthread_mutex_unlock(&lock);
	end = bench_now_ms() + seconds * 1e3;
	while (bench_now_ms() < end && sample(&sm, q, cert, buf, len))
		;
	pthread_mutex_lock(&lock);
	sigs1 = signatures;
	stop = true;
	pthread_mutex_unlock(&lock);
	pthread_join(t, NULL);
	bench_check(signer_rv, "signature in the signing thread");

	print_samples(&sm, "");
	bench_print("samples", "%zu", sm.n);
	bench_print("signatures", "%ld", sigs1 - sigs0);
	bench_check(p11->C_Finalize(NULL), "C_Finalize");
	free(buf);
	free(sm.getattr);
	free(sm.slotlist);
	return 0;
}
