/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-cardsim-state.c: the state file: round trip, mode 0600, atomic replacement, malformed
 * files refused. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state.h"
#include "test-util.h"

static const uint8_t mgm3des[24] = { 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8 };

static char dir[64];
static char path[128];

static void setup(void)
{
	strcpy(dir, "/tmp/cardsim-test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/card.state", dir);
}

static void teardown(void)
{
	unlink(path);
	rmdir(dir);
}

static void write_file(const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

START_TEST(round_trip)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY), *d;
	struct stat st;
	struct cs_buf r1, r2;

	cs_buf_init(&r1);
	cs_buf_init(&r2);
	ck_assert_int_eq(cs_state_load(c, path), 1);
	tc_select(c);
	ck_assert_uint_eq(tc_mgm_auth(c, 0x03, mgm3des), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0047009A05AC03800111", &r1), 0x9000);
	ck_assert_uint_eq(tc_send(c, "00DB3FFF085C035FC102530101", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0024008010313233343536FFFF373737373737FFFF", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(c, "0020008008303030303030FFFF", NULL), 0x63C2);
	ck_assert_int_eq(cs_state_save(c, path), 0);
	ck_assert(!c->dirty);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);

	d = cs_card_new(CS_PROFILE_YUBIKEY, 0);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(cs_state_load(d, path), 0);
	ck_assert_uint_eq(d->serial, 12345678);
	tc_select(d);
	ck_assert_uint_eq(tc_send(d, "0020008000", NULL), 0x63C2);
	ck_assert_uint_eq(tc_send(d, "0020008008373737373737FFFF", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(d, "00F7009A00", &r2), 0x9000);
	ck_assert_uint_eq(tc_send(d, "00CB3FFF055C035FC102", NULL), 0x9000);
	ck_assert_uint_eq(tc_send(d, "0087119A087C06820081020102", NULL), 0x9000);
	cs_card_free(c);
	cs_card_free(d);
	cs_buf_free(&r1);
	cs_buf_free(&r2);
}
END_TEST

START_TEST(malformed)
{
	struct cs_card *c = tc_card(CS_PROFILE_YUBIKEY);

	write_file("");
	ck_assert_int_eq(cs_state_load(c, path), -1);
	write_file("cardsim-state 2\n");
	ck_assert_int_eq(cs_state_load(c, path), -1);
	write_file("cardsim-state 1\npin 3132\n");
	ck_assert_int_eq(cs_state_load(c, path), -1);
	write_file("cardsim-state 1\npin-retries 3 4\n");
	ck_assert_int_eq(cs_state_load(c, path), -1);
	write_file("cardsim-state 1\nmgm 03 01 0102\n");
	ck_assert_int_eq(cs_state_load(c, path), -1);
	write_file("cardsim-state 1\nkey 9a 11 02 01 01 3000\n");
	ck_assert_int_eq(cs_state_load(c, path), -1);
	write_file("cardsim-state 1\nkey 77 11 02 01 01 3000\n");
	ck_assert_int_eq(cs_state_load(c, path), -1);
	write_file("cardsim-state 1\nobject 5fc102 zz\n");
	ck_assert_int_eq(cs_state_load(c, path), -1);
	write_file("cardsim-state 1\nobject 5fc199 01\n");
	ck_assert_int_eq(cs_state_load(c, path), -1);
	write_file("cardsim-state 1\nserial 99\nfuture-record x\n");
	ck_assert_int_eq(cs_state_load(c, path), 0);
	ck_assert_uint_eq(c->serial, 99);
	cs_card_free(c);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("cardsim-state");
	TCase *tc = tcase_create("state");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, malformed);
	suite_add_tcase(s, tc);
	return tc_run(s);
}
