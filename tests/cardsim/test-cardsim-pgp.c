/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cardsim-pgp.c: the OpenPGP application: selection (alone and beside PIV), the data
 * objects and their access conditions, PW1/PW3/resetting code, the KDF-DO, TERMINATE DF /
 * ACTIVATE FILE, GET CHALLENGE, the state file. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hex.h"
#include "log.h"
#include "pgp.h"
#include "state.h"
#include "test-util.h"

static struct cs_card *pgp_card(void)
{
	struct cs_card *c = tc_card(CS_PROFILE_OPENPGP);

	tc_pgp_select(c);
	return c;
}

/* GET DATA of TAG (P1 P2) into R; returns the SW. */
static uint16_t get_data(struct cs_card *c, unsigned tag, struct cs_buf *r)
{
	uint8_t apdu[5] = { 0x00, 0xCA, (uint8_t)(tag >> 8), (uint8_t)tag, 0x00 };

	return tc_send_raw(c, apdu, sizeof(apdu), r);
}

/* The value of TAG inside the application related data 6E. */
static void get_6e_part(struct cs_card *c, unsigned tag, struct cs_buf *r, struct cs_tlv *t)
{
	ck_assert_uint_eq(get_data(c, 0x6E, r), 0x9000);
	ck_assert_int_eq(tc_tlv_deep(r->data, r->len, tag, t), 1);
}

static void assert_hex(const uint8_t *p, size_t n, const char *hex)
{
	struct cs_buf want;

	cs_buf_init(&want);
	ck_assert_int_eq(cs_hex_decode(hex, &want), 0);
	ck_assert_uint_eq(n, want.len);
	ck_assert_mem_eq(p, want.data, n);
	cs_buf_free(&want);
}

START_TEST(select_and_aid)
{
	struct cs_card *c = tc_card(CS_PROFILE_OPENPGP);
	struct cs_buf r;

	cs_buf_init(&r);
	ck_assert_uint_eq(get_data(c, 0x4F, NULL), 0x6D00); /* nothing selected yet */
	ck_assert_uint_eq(tc_send(c, "00A4040005A000000308", NULL), 0x6A82); /* no PIV here */
	ck_assert_uint_eq(tc_send(c, "00A4040005D276000124", NULL), 0x6A82); /* RID+PIX too short */
	tc_pgp_select(c);
	ck_assert_uint_eq(tc_send(c, "00A4040C06D27600012401", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00A4040010D2760001240103040000000000000000", NULL), 0x6A82);
	ck_assert_uint_eq(get_data(c, 0x4F, &r), 0x9000);
	/* Version 3.4, manufacturer FF00, serial 12345678 = 00BC614E. */
	assert_hex(r.data, r.len, "D2760001240103 04FF0000BC614E0000");
	ck_assert_uint_eq(tc_send(c, "00A4040010D276000124010304FF0000BC614E0000", NULL), 0x9000);
	cs_card_free(c);

	/* A YubiKey with both applications: Yubico's manufacturer 0006, the serial in BCD. */
	c = tc_card(CS_PROFILE_YUBIKEY_OPENPGP);
	tc_pgp_select(c);
	ck_assert_uint_eq(get_data(c, 0x4F, &r), 0x9000);
	assert_hex(r.data, r.len, "D2760001240103040006123456780000");
	tc_select(c);
	ck_assert_uint_eq(tc_send(c, "00FD000000", &r), 0x9000); /* PIV answers again */
	cs_card_free(c);

	/* A PIV-only YubiKey has no OpenPGP application. */
	c = tc_card(CS_PROFILE_YUBIKEY);
	ck_assert_uint_eq(tc_send(c, "00A4040006D27600012401", NULL), 0x6A82);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

/* Selecting one application ends the other's security context (as on a YubiKey). */
START_TEST(application_switch)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY_OPENPGP);

	tc_pgp_select(c);
	tc_pgp_verify(c, 0x82);
	ck_assert_uint_eq(tc_send(c, "0020008200", NULL), 0x9000);
	tc_select(c);
	ck_assert_uint_eq(tc_send(c, "0020008000", NULL), 0x63C3);
	tc_verify(c);
	ck_assert_uint_eq(tc_send(c, "00CA006E00", NULL), 0x6D00); /* PIV has no GET DATA CA */
	tc_pgp_select(c);
	ck_assert_uint_eq(tc_send(c, "0020008200", NULL), 0x63C3);
	/* An unknown AID, or another card's full OpenPGP AID, leaves the selection as it is. */
	ck_assert_uint_eq(tc_send(c, "00A4040005A000000999", NULL), 0x6A82);
	ck_assert_uint_eq(tc_send(c, "00CA004F00", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00A4040010D2760001240103040006999999990000", NULL), 0x6A82);
	ck_assert_uint_eq(tc_send(c, "0020008200", NULL), 0x63C3); /* still OpenPGP: its VERIFY */
	tc_select(c);
	ck_assert_uint_eq(tc_send(c, "0020008000", NULL), 0x63C3);
	cs_card_free(c);
}
END_TEST

START_TEST(application_related_data)
{
	struct cs_card *c = pgp_card();
	struct cs_buf r;
	struct cs_tlv t;

	cs_buf_init(&r);
	get_6e_part(c, 0x4F, &r, &t);
	ck_assert_uint_eq(t.len, 16);
	get_6e_part(c, 0x5F52, &r, &t);
	assert_hex(t.val, t.len, "0031C573C001C0059000");
	get_6e_part(c, 0x7F66, &r, &t);
	assert_hex(t.val, t.len, "020208000202 0800");
	get_6e_part(c, 0xC0, &r, &t);
	assert_hex(t.val, t.len, "7D0000FF080000FF0000");
	get_6e_part(c, 0xC1, &r, &t);
	assert_hex(t.val, t.len, "010800002000");
	get_6e_part(c, 0xC3, &r, &t);
	assert_hex(t.val, t.len, "010800002000");
	get_6e_part(c, 0xC4, &r, &t);
	assert_hex(t.val, t.len, "007F7F7F030003");
	get_6e_part(c, 0xC5, &r, &t);
	ck_assert_uint_eq(t.len, 60);
	get_6e_part(c, 0xC6, &r, &t);
	ck_assert_uint_eq(t.len, 60);
	get_6e_part(c, 0xCD, &r, &t);
	ck_assert_uint_eq(t.len, 12);
	get_6e_part(c, 0xDE, &r, &t);
	assert_hex(t.val, t.len, "010002000300");
	/* Simple and constructed objects on their own. */
	ck_assert_uint_eq(get_data(c, 0xC4, &r), 0x9000);
	assert_hex(r.data, r.len, "007F7F7F030003");
	ck_assert_uint_eq(get_data(c, 0x5F52, &r), 0x9000);
	assert_hex(r.data, r.len, "0031C573C001C0059000");
	ck_assert_uint_eq(get_data(c, 0x7A, &r), 0x9000);
	assert_hex(r.data, r.len, "7A0593030000 00");
	ck_assert_uint_eq(get_data(c, 0x65, &r), 0x9000);
	assert_hex(r.data, r.len, "65085B005F2D005F3500");
	ck_assert_uint_eq(get_data(c, 0xF9, &r), 0x9000);
	assert_hex(r.data, r.len, "810100");
	ck_assert_uint_eq(get_data(c, 0xFA, &r), 0x9000);
	ck_assert_int_eq(tc_tlv_deep(r.data, r.len, 0xC2, &t), 1);
	ck_assert_uint_eq(get_data(c, 0x7F74, NULL), 0x6A88); /* no button: absent */
	ck_assert_uint_eq(get_data(c, 0x5F50, &r), 0x9000);
	ck_assert_uint_eq(r.len, 0);
	ck_assert_uint_eq(get_data(c, 0x7F21, &r), 0x9000);
	ck_assert_uint_eq(r.len, 0);
	cs_buf_free(&r);
	cs_card_free(c);
	/* A card without extended APDUs says so in the historical bytes and has no 7F66. */
	c = tc_card(CS_PROFILE_OPENPGP);
	c->no_extended = true;
	tc_pgp_select(c);
	cs_buf_init(&r);
	get_6e_part(c, 0x5F52, &r, &t);
	assert_hex(t.val, t.len, "0031C573C00180059000");
	ck_assert_int_eq(tc_tlv_deep(r.data, r.len, 0x7F66, &t), 0);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(put_data_access)
{
	struct cs_card *c = pgp_card();
	struct cs_buf r;
	struct cs_tlv t;

	cs_buf_init(&r);
	ck_assert_uint_eq(tc_send(c, "00DA005B09446F653C3C4A6F686E", NULL), 0x6982);
	tc_pgp_verify(c, 0x83);
	ck_assert_uint_eq(tc_send(c, "00DA005B09446F653C3C4A6F686E", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA5F2D02656E", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA5F350131", NULL), 0x9000);
	ck_assert_uint_eq(get_data(c, 0x65, &r), 0x9000);
	assert_hex(r.data, r.len, "65145B09446F653C3C4A6F686E5F2D02656E5F350131");
	ck_assert_uint_eq(tc_send(c, "00DA5F35023131", NULL), 0x6A80);
	/* URL, fingerprints, CA fingerprints, dates, PW1 status byte. */
	ck_assert_uint_eq(tc_send(c, "00DA5F500F68747470733A2F2F6B65792E6F7267", NULL), 0x9000);
	ck_assert_uint_eq(get_data(c, 0x5F50, &r), 0x9000);
	ck_assert_uint_eq(r.len, 15);
	ck_assert_uint_eq(tc_send(c, "00DA00C814" "0102030405060708090A0B0C0D0E0F1011121314", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA00C813" "0102030405060708090A0B0C0D0E0F10111213", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DA00CC14" "A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA00CE04" "5F000001", NULL), 0x9000);
	get_6e_part(c, 0xC5, &r, &t);
	assert_hex(t.val + 20, 20, "0102030405060708090A0B0C0D0E0F1011121314");
	get_6e_part(c, 0xC6, &r, &t);
	assert_hex(t.val + 40, 20, "A1A2A3A4A5A6A7A8A9AAABACADAEAFB0B1B2B3B4");
	get_6e_part(c, 0xCD, &r, &t);
	assert_hex(t.val, 4, "5F000001");
	ck_assert_uint_eq(tc_send(c, "00DA00C40101", NULL), 0x9000);
	ck_assert_uint_eq(get_data(c, 0xC4, &r), 0x9000);
	ck_assert_uint_eq(r.data[0], 0x01);
	ck_assert_uint_eq(tc_send(c, "00DA00C40102", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "00DA00D110" "00112233445566778899AABBCCDDEEFF", NULL), 0x6A88);
	/* Private DOs: 0101/0103 written with PW1 (82), 0103 read with PW1, 0104 with PW3. */
	ck_assert_uint_eq(tc_send(c, "00DA01010141", NULL), 0x6982);
	ck_assert_uint_eq(tc_send(c, "00DA01020142", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA01040144", NULL), 0x9000);
	tc_pgp_verify(c, 0x82);
	ck_assert_uint_eq(tc_send(c, "00DA01010141", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA01030143", NULL), 0x9000);
	ck_assert_uint_eq(get_data(c, 0x0103, &r), 0x9000);
	assert_hex(r.data, r.len, "43");
	ck_assert_uint_eq(tc_send(c, "0020FF8200", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020FF8300", NULL), 0x9000);
	ck_assert_uint_eq(get_data(c, 0x0103, NULL), 0x6982);
	ck_assert_uint_eq(get_data(c, 0x0104, NULL), 0x6982);
	ck_assert_uint_eq(get_data(c, 0x0102, &r), 0x9000);
	assert_hex(r.data, r.len, "42");
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(verify_pw1_pw3)
{
	struct cs_card *c = pgp_card();
	struct cs_buf r;

	cs_buf_init(&r);
	ck_assert_uint_eq(tc_send(c, "0020008100", NULL), 0x63C3);
	ck_assert_uint_eq(tc_send(c, "0020008106313131313131", NULL), 0x6982);
	ck_assert_uint_eq(tc_send(c, "0020008100", NULL), 0x63C2);
	ck_assert_uint_eq(tc_send(c, "0020008200", NULL), 0x63C2); /* one PW1, one counter */
	ck_assert_uint_eq(get_data(c, 0xC4, &r), 0x9000);
	assert_hex(r.data, r.len, "007F7F7F020003");
	tc_pgp_verify(c, 0x81);
	ck_assert_uint_eq(tc_send(c, "0020008100", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008200", NULL), 0x63C3); /* 82 is its own status */
	ck_assert_uint_eq(tc_send(c, "0020FF8100", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008100", NULL), 0x63C3);
	ck_assert_uint_eq(tc_send(c, "0020FF810131", NULL), 0x6700);
	ck_assert_uint_eq(tc_send(c, "0020008400", NULL), 0x6A86);
	ck_assert_uint_eq(tc_send(c, "0020018100", NULL), 0x6A86);
	/* PW3: three wrong values block it; the right one is refused then. */
	ck_assert_uint_eq(tc_send(c, "002000830831313131313131 31", NULL), 0x6982);
	ck_assert_uint_eq(tc_send(c, "002000830831313131313131 31", NULL), 0x6982);
	ck_assert_uint_eq(tc_send(c, "002000830831313131313131 31", NULL), 0x6983);
	ck_assert_uint_eq(tc_send(c, "00200083083132333435363738", NULL), 0x6983);
	ck_assert_uint_eq(tc_send(c, "0020008300", NULL), 0x6983);
	ck_assert_uint_eq(get_data(c, 0xC4, &r), 0x9000);
	assert_hex(r.data, r.len, "007F7F7F030000");
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(change_and_reset)
{
	struct cs_card *c = pgp_card();
	struct cs_buf r;
	int i;

	cs_buf_init(&r);
	/* PW1 123456 -> 654321; too short a new value is refused and changes nothing. */
	ck_assert_uint_eq(tc_send(c, "002400810B3132333435363635343332", NULL), 0x6A80);
	ck_assert_uint_eq(tc_send(c, "002400810C313233343536363534333231", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008206313233343536", NULL), 0x6982);
	ck_assert_uint_eq(tc_send(c, "0020008206363534333231", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "002400810C313233343536363534333231", NULL), 0x6982);
	ck_assert_uint_eq(tc_send(c, "0024008103313233", NULL), 0x6700);
	ck_assert_uint_eq(tc_send(c, "002400820C363534333231313233343536", NULL), 0x6A86);
	/* PW3 12345678 -> 87654321 */
	ck_assert_uint_eq(tc_send(c, "00240083103132333435363738" "3837363534333231", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00200083083837363534333231", NULL), 0x9000);
	/* No resetting code yet: RESET RETRY COUNTER P1=00 is blocked. */
	ck_assert_uint_eq(tc_send(c, "002C00810E5243313233343536313233343536", NULL), 0x6983);
	ck_assert_uint_eq(tc_send(c, "00DA00D30752433132333435", NULL), 0x6A80); /* 7 bytes */
	ck_assert_uint_eq(tc_send(c, "00DA00D3085243313233343536", NULL), 0x9000);
	ck_assert_uint_eq(get_data(c, 0xC4, &r), 0x9000);
	assert_hex(r.data, r.len, "007F7F7F020303"); /* the wrong CHANGE above counted */
	/* Block PW1, then unblock it with the resetting code. */
	for (i = 0; i < 3; i++)
		(void)tc_send(c, "0020008206303030303030", NULL);
	ck_assert_uint_eq(tc_send(c, "0020008206363534333231", NULL), 0x6983);
	ck_assert_uint_eq(tc_send(c, "002C00810E5243313233343537313131313131", NULL), 0x6982); /* wrong RC */
	ck_assert_uint_eq(tc_send(c, "002C0081085243313233343536", NULL), 0x6700);
	ck_assert_uint_eq(tc_send(c, "002C00810D52433132333435363132333435", NULL), 0x6A80); /* new too short */
	ck_assert_uint_eq(tc_send(c, "002C00810E5243313233343536313233343536", NULL), 0x9000);
	ck_assert_uint_eq(get_data(c, 0xC4, &r), 0x9000);
	assert_hex(r.data, r.len, "007F7F7F030303"); /* the right RC restored its counter too */
	tc_pgp_verify(c, 0x82);
	/* RESET RETRY COUNTER by PW3 (P1=02). */
	ck_assert_uint_eq(tc_send(c, "0020FF8300", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "002C028106373737373737", NULL), 0x6982);
	ck_assert_uint_eq(tc_send(c, "00200083083837363534333231", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "002C028106373737373737", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008106373737373737", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "002C038106373737373737", NULL), 0x6A86);
	/* Deleting the resetting code. */
	ck_assert_uint_eq(tc_send(c, "00DA00D300", NULL), 0x9000);
	ck_assert_uint_eq(get_data(c, 0xC4, &r), 0x9000);
	ck_assert_uint_eq(r.data[5], 0);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

/* With a KDF-DO the card compares the derived values it was given (87, 88). */
START_TEST(kdf_do)
{
	static const char kdf[] = "00DA00F95A" "810103" "820108" "830400010000" "84080102030405060708"
		"8720" "A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1"
		"8820" "B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3";
	struct cs_card *c = pgp_card();
	struct cs_buf r;

	cs_buf_init(&r);
	ck_assert_uint_eq(tc_send(c, kdf, NULL), 0x6982);
	tc_pgp_verify(c, 0x83);
	ck_assert_uint_eq(tc_send(c, "00DA00F903810104", NULL), 0x6A80); /* unknown algorithm */
	ck_assert_uint_eq(tc_send(c, "00DA00F906810103820108", NULL), 0x6A80); /* no count, salt */
	ck_assert_uint_eq(tc_send(c, kdf, NULL), 0x9000);
	ck_assert_uint_eq(get_data(c, 0xF9, &r), 0x9000);
	ck_assert_uint_eq(r.len, 0x5A);
	ck_assert_uint_eq(tc_send(c, "0020008300", NULL), 0x63C3); /* the KDF-DO ends the status */
	ck_assert_uint_eq(tc_send(c, "0020008206313233343536", NULL), 0x6982);
	ck_assert_uint_eq(tc_send(c, "0020008220" "A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1A1",
				  NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008320" "B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3B3",
				  NULL), 0x9000);
	/* KDF off: the factory passwords again. */
	ck_assert_uint_eq(tc_send(c, "00DA00F903810100", NULL), 0x9000);
	tc_pgp_verify(c, 0x82);
	tc_pgp_verify(c, 0x83);
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(terminate_activate)
{
	struct cs_card *c = pgp_card();
	struct cs_buf r;
	int i;

	cs_buf_init(&r);
	tc_pgp_verify(c, 0x83);
	ck_assert_uint_eq(tc_send(c, "00DA005B03414243", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "002400810C313233343536363534333231", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020FF8300", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00E60000", NULL), 0x6985); /* PW3 neither verified nor blocked */
	for (i = 0; i < 3; i++)
		(void)tc_send(c, "00200083083030303030303030", NULL);
	ck_assert_uint_eq(tc_send(c, "00E60000", NULL), 0x9000);
	ck_assert_uint_eq(get_data(c, 0x6E, NULL), 0x6285);
	ck_assert_uint_eq(tc_send(c, "00A4040006D27600012401", NULL), 0x6285);
	ck_assert_uint_eq(tc_send(c, "0020008100", NULL), 0x6285);
	ck_assert_uint_eq(tc_send(c, "00440000", NULL), 0x9000);
	/* Factory state: name gone, passwords and counters back. */
	ck_assert_uint_eq(get_data(c, 0x65, &r), 0x9000);
	assert_hex(r.data, r.len, "65085B005F2D005F3500");
	tc_pgp_verify(c, 0x81);
	tc_pgp_verify(c, 0x83);
	ck_assert_uint_eq(tc_send(c, "00440000", NULL), 0x9000); /* no-op when operational */
	cs_buf_free(&r);
	cs_card_free(c);
}
END_TEST

START_TEST(get_challenge)
{
	struct cs_card *c = pgp_card();
	struct cs_buf a, b;

	cs_buf_init(&a);
	cs_buf_init(&b);
	ck_assert_uint_eq(tc_send(c, "0084000010", &a), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0084000010", &b), 0x9000);
	ck_assert_uint_eq(a.len, 16);
	ck_assert_uint_eq(b.len, 16);
	ck_assert(memcmp(a.data, b.data, 16) != 0);
	ck_assert_uint_eq(tc_send(c, "00840000", NULL), 0x6700);
	cs_buf_free(&a);
	cs_buf_free(&b);
	cs_card_free(c);
}
END_TEST

/* Everything the application keeps survives a save and a load; bad records are refused. */
START_TEST(state_round_trip)
{
	char dir[] = "/tmp/cardsim-pgp.XXXXXX", path[64], line[1024];
	struct cs_card *c = pgp_card(), *d;
	struct cs_buf a, b;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/card.state", dir);
	cs_buf_init(&a);
	cs_buf_init(&b);
	tc_pgp_verify(c, 0x83);
	ck_assert_uint_eq(tc_send(c, "00DA00C109132A8648CE3D030107", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA00C30A162B06010401DA470F01", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00478000 02B600 00", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00478000 02A400 00", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA005B03414243", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA00C7140102030405060708090A0B0C0D0E0F1011121314", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA00D3085243313233343536", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00A5010406 60045C027F21", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DA7F2103300100", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "002400810C313233343536363534333231", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008106303030303030", NULL), 0x6982);
	ck_assert_uint_eq(cs_state_save(c, path), 0);

	d = tc_card(CS_PROFILE_OPENPGP);
	ck_assert_int_eq(cs_state_load(d, path), 0);
	tc_pgp_select(d);
	ck_assert_uint_eq(tc_send(c, "00CA006E00", &a), 0x9000);
	ck_assert_uint_eq(tc_send(d, "00CA006E00", &b), 0x9000);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_mem_eq(a.data, b.data, a.len);
	ck_assert_uint_eq(tc_send(c, "00478100 02A400 00", &a), 0x9000);
	ck_assert_uint_eq(tc_send(d, "00478100 02A400 00", &b), 0x9000);
	ck_assert_uint_eq(a.len, b.len);
	ck_assert_mem_eq(a.data, b.data, a.len);
	ck_assert_uint_eq(tc_send(d, "00CA006500", &b), 0x9000);
	assert_hex(b.data, b.len, "650B5B034142435F2D005F3500");
	ck_assert_uint_eq(tc_send(d, "00A5010406 60045C027F21", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(d, "00CA7F2100", &b), 0x9000);
	assert_hex(b.data, b.len, "300100");
	ck_assert_uint_eq(tc_send(d, "0020008106363534333231", NULL), 0x9000);
	cs_card_free(d);

	/* A key that does not fit its slot's attributes is refused: the P-256 key of slot 0
	 * given to slot 2 (Ed25519). */
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	while (fgets(line, sizeof(line), f) != NULL && strncmp(line, "pgp-key 0 ", 10) != 0)
		;
	fclose(f);
	ck_assert_int_eq(strncmp(line, "pgp-key 0 ", 10), 0);
	line[8] = '2';
	f = fopen(path, "a");
	ck_assert_ptr_nonnull(f);
	fputs(line, f);
	fclose(f);
	d = tc_card(CS_PROFILE_OPENPGP);
	ck_assert_int_eq(cs_state_load(d, path), -1);
	cs_card_free(d);
	unlink(path);
	rmdir(dir);
	cs_buf_free(&a);
	cs_buf_free(&b);
	cs_card_free(c);
}
END_TEST

/* The APDU log hides the resetting code, the KDF-DO and imported keys, not PIV's PUT DATA. */
START_TEST(log_redaction)
{
	static const struct {
		const char *cmd, *want;
	} cases[] = {
		{ "00DA00D3085243313233343536", "00 DA 00 D3 08 XX XX XX XX XX XX XX XX" },
		{ "00DA00F903810100", "00 DA 00 F9 03 XX XX XX" },
		{ "00DB3FFF044D02B600", "00 DB 3F FF 04 XX XX XX XX" },
		{ "00DB3FFF0000044D02B600", "00 DB 3F FF 00 00 04 XX XX XX XX" },
		{ "00DB3FFF045C017E00", "00 DB 3F FF 04 5C 01 7E 00" },
		{ "00DA005B03414243", "00 DA 00 5B 03 41 42 43" },
	};
	struct cs_buf b;
	char s[64];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cs_buf_init(&b);
		ck_assert_int_eq(cs_hex_decode(cases[i].cmd, &b), 0);
		cs_log_format_cmd(b.data, b.len, s);
		ck_assert_str_eq(s, cases[i].want);
		cs_buf_free(&b);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cardsim-pgp");
	TCase *tc = tcase_create("pgp");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, select_and_aid);
	tcase_add_test(tc, application_switch);
	tcase_add_test(tc, application_related_data);
	tcase_add_test(tc, put_data_access);
	tcase_add_test(tc, verify_pw1_pw3);
	tcase_add_test(tc, change_and_reset);
	tcase_add_test(tc, kdf_do);
	tcase_add_test(tc, terminate_activate);
	tcase_add_test(tc, get_challenge);
	tcase_add_test(tc, state_round_trip);
	tcase_add_test(tc, log_redaction);
	suite_add_tcase(s, tc);
	return tc_run(s);
}
