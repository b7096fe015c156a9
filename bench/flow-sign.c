/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench/flow-sign.c: "p11bench MODULE sign ID N": after C_Login, N signatures in one session
 * with the private key whose CKA_ID is ID (hex): CKM_RSA_PKCS over a SHA-256 DigestInfo for
 * an RSA key, CKM_ECDSA over 32 bytes for an EC key; a key with CKA_ALWAYS_AUTHENTICATE
 * gets a context-specific login before each. Figures of the N signatures only.
 */
#include "bench/p11bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* DigestInfo of SHA-256 (DER prefix) + 32 bytes of "hash". */
static const uint8_t digest_info[51] = {
	0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	0x05, 0x00, 0x04, 0x20, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
	17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32,
};

CK_MECHANISM_TYPE bench_key_mechanism(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, bool *always)
{
	CK_KEY_TYPE type = 0;
	CK_BBOOL aa = CK_FALSE;
	CK_ATTRIBUTE a[2] = {
		{ CKA_KEY_TYPE, &type, sizeof type },
		{ CKA_ALWAYS_AUTHENTICATE, &aa, sizeof aa },
	};

	bench_check(p11->C_GetAttributeValue(s, key, a, 1), "C_GetAttributeValue(CKA_KEY_TYPE)");
	/* A module without the attribute says so; that is "no". */
	if (p11->C_GetAttributeValue(s, key, a + 1, 1) != CKR_OK)
		aa = CK_FALSE;
	*always = aa == CK_TRUE;
	return type == CKK_RSA ? CKM_RSA_PKCS : CKM_ECDSA;
}

CK_RV bench_sign_once(CK_SESSION_HANDLE s, CK_OBJECT_HANDLE key, CK_MECHANISM_TYPE mech, bool always)
{
	CK_MECHANISM m = { mech, NULL, 0 };
	const char *pin = getenv("BENCH_PIN");
	uint8_t sig[1024];
	CK_ULONG sig_len = sizeof sig;
	/* ECDSA signs the 32 bytes at the end of the DigestInfo */
	CK_ULONG in_len = mech == CKM_RSA_PKCS ? sizeof digest_info : 32;
	CK_RV rv;

	if (pin == NULL)
		pin = "123456";
	rv = p11->C_SignInit(s, &m, key);
	if (rv != CKR_OK)
		goto out;
	if (always) {
		rv = p11->C_Login(s, CKU_CONTEXT_SPECIFIC, (CK_UTF8CHAR_PTR)pin, (CK_ULONG)strlen(pin));
		if (rv != CKR_OK)
			goto out;
	}
	rv = p11->C_Sign(s, (CK_BYTE_PTR)digest_info + sizeof digest_info - in_len, in_len, sig, &sig_len);
out:
	return rv;
}

/* Parse hex ID into BUF; its length, or 0. */
static size_t parse_id(const char *hex, uint8_t *buf, size_t size)
{
	size_t n = 0;
	unsigned v;

	while (hex[0] != '\0' && hex[1] != '\0' && n < size && sscanf(hex, "%2x", &v) == 1) {
		buf[n++] = (uint8_t)v;
		hex += 2;
	}
	return hex[0] == '\0' ? n : 0;
}

int bench_flow_sign(int argc, char **argv)
{
	struct bench_window w;
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE key;
	CK_MECHANISM_TYPE mech;
	uint8_t id[32];
	size_t id_len;
	bool always;
	long i, n;

	if (argc != 2 || (id_len = parse_id(argv[0], id, sizeof id)) == 0 || (n = atol(argv[1])) <= 0)
		bench_die("usage: p11bench MODULE sign ID-HEX N");
	bench_initialize();
	s = bench_session(bench_token_slot(), true);
	key = bench_find(s, CKO_PRIVATE_KEY, id, id_len);
	if (key == CK_INVALID_HANDLE)
		bench_die("no private key with CKA_ID %s", argv[0]);
	mech = bench_key_mechanism(s, key, &always);
	bench_window_start(&w);
	for (i = 0; i < n; i++)
		bench_check(bench_sign_once(s, key, mech, always), "signature");
	bench_print("per_op_ms", "%.3f", bench_window_print(&w) / (double)n);
	bench_print("ops", "%ld", n);
	bench_print("always_authenticate", "%d", always ? 1 : 0);
	bench_check(p11->C_CloseSession(s), "C_CloseSession");
	bench_check(p11->C_Finalize(NULL), "C_Finalize");
	return 0;
}
