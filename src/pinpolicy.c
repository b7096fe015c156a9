/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * src/pinpolicy.c: the PIN rules (see pinpolicy.h).
 */
#include "config.h"

#include "src/pinpolicy.h"

#include <errno.h>
#include <string.h>
#include <time.h>

CK_RV
tsr_pin_card_check (const struct tsr_token *token, enum card_pin which, const uint8_t *pin, CK_ULONG len)
{
	int cmin = which == CARD_PIN_SO ? token->info.puk_min : token->info.pin_min;
	int cmax = which == CARD_PIN_SO ? token->info.puk_max : token->info.pin_max;
	CK_ULONG min = cmin > 0 ? (CK_ULONG)cmin : 6;
	CK_ULONG max = cmax > 0 ? (CK_ULONG)cmax : 8;

	card_rv crv;

	if (len < min || len > max)
		return CKR_PIN_LEN_RANGE;
	if (pin == NULL)
		return CKR_PIN_INVALID;
	if (token->card == NULL || token->card->driver->check_pin == NULL)
		return CKR_OK;
	/* the card's own rules, without an APDU (PIV: no FF byte, taken for padding) */
	crv = token->card->driver->check_pin (token->card, which, pin, len);
	return crv == CARD_E_PIN_LEN ? CKR_PIN_LEN_RANGE : crv == CARD_E_PIN_INVALID ? CKR_PIN_INVALID : CKR_OK;
}

enum pin_class { CLASS_DIGIT, CLASS_LOWER, CLASS_UPPER, CLASS_OTHER, CLASS_NON_ASCII, CLASS_COUNT };

static enum pin_class
pin_class_of (uint8_t c)
{
	if (c >= 0x80)
		return CLASS_NON_ASCII;
	if (c >= '0' && c <= '9')
		return CLASS_DIGIT;
	if (c >= 'a' && c <= 'z')
		return CLASS_LOWER;
	if (c >= 'A' && c <= 'Z')
		return CLASS_UPPER;
	return CLASS_OTHER;
}

CK_RV
tsr_pin_fips_check (const uint8_t *pin, size_t len)
{
	size_t count[CLASS_COUNT] = { 0 }, chars = 0, i, classes = 0;
	int k;

	if (pin == NULL)
		return CKR_PIN_LEN_RANGE;
	for (i = 0; i < len; i++) {
		if ((pin[i] & 0xC0) != 0x80)   /* not a UTF-8 continuation byte: a character */
			chars++;
		count[pin_class_of (pin[i])]++;
	}
	if (chars < TSR_FIPS_PIN_MIN_CHARS)
		return CKR_PIN_LEN_RANGE;
	if (pin_class_of (pin[0]) == CLASS_UPPER)
		count[CLASS_UPPER]--;          /* "Password1"-style: the first capital is free */
	if (pin_class_of (pin[len - 1]) == CLASS_DIGIT)
		count[CLASS_DIGIT]--;          /* ... and so is the final digit */
	for (k = 0; k < CLASS_COUNT; k++)
		classes += count[k] > 0;
	return classes < TSR_FIPS_PIN_MIN_CLASSES ? CKR_PIN_INVALID : CKR_OK;
}

CK_RV
tsr_pin_new_check (const struct tsr_token *token, enum tsr_pin_policy_mode mode,
                   enum card_pin which, const uint8_t *pin, CK_ULONG len)
{
	CK_RV rv = tsr_pin_card_check (token, which, pin, len);

	if (rv == CKR_OK && mode == TSR_PIN_POLICY_FIPS)
		rv = tsr_pin_fips_check (pin, len);
	return rv;
}

bool
tsr_pin_failed (CK_RV rv)
{
	return rv == CKR_PIN_INCORRECT || rv == CKR_PIN_INVALID || rv == CKR_PIN_LEN_RANGE ||
	       rv == CKR_PIN_LOCKED;
}

void
tsr_pin_fail_delay (void)
{
	struct timespec left = { 1, 0 };

	while (nanosleep (&left, &left) != 0 && errno == EINTR)
		;
}

bool
tsr_so_pin_is_key (const uint8_t *pin, size_t len, uint8_t key[TSR_CONF_MAX_KEY], size_t *key_len)
{
	return pin != NULL && tsr_conf_parse_hex_key ((const char *)pin, len, key, key_len) == 0;
}
