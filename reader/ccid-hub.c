/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-hub.c: the process's CCID readers (one hub, one libusb context)
 * and the watch of struct reader_ops: enumerate (the bus scanned at the first
 * look and when libusb hotplug says it changed; slot changes from the
 * interrupt endpoints), watch_wait (libusb's event handling until a change or a
 * wake), watch_wake (libusb_interrupt_event_handler).
 *
 * Without hotplug events (no udevd: libusb learns of new devices only from
 * them) a reader plugged in later is not seen; a reader unplugged is seen
 * anyway, when its interrupt transfer or the next exchange fails.
 *
 * The hub's device list is changed only by the watch's thread (scan, drop);
 * connections only look names up in it (under the lock).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "reader/ccid-usb.h"
#include "reader/log.h"

/* Readers without an interrupt endpoint: their slots are asked this often. */
#define CCID_POLL_MS 1000

static pthread_mutex_t hub_global = PTHREAD_MUTEX_INITIALIZER;
static struct ccid_hub *hub_current;   /* hub_global */

struct reader_watch {
	struct ccid_hub *hub;         /* referenced */
};

static int LIBUSB_CALL
hotplug_event (libusb_context *ctx, libusb_device *device, libusb_hotplug_event event, void *user)
{
	struct ccid_hub *hub = user;

	(void) ctx, (void) device;
	pthread_mutex_lock (&hub->lock);
	if (event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED)
		hub->rescan = 1;
	hub->changes++;
	pthread_mutex_unlock (&hub->lock);
	return 0;
}

static struct ccid_hub *
hub_new (void)
{
	struct ccid_hub *hub = calloc (1, sizeof *hub);
	int err;

	if (hub == NULL)
		return NULL;
	err = libusb_init (&hub->ctx);
	if (err != 0) {
		tsr_log ("ccid", "libusb_init: %s", libusb_error_name (err));
		free (hub);
		return NULL;
	}
	pthread_mutex_init (&hub->lock, NULL);
	hub->pid = getpid ();
	if (libusb_has_capability (LIBUSB_CAP_HAS_HOTPLUG) &&
	    libusb_hotplug_register_callback (hub->ctx, LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED |
	                                      LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT, 0,
	                                      LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY,
	                                      LIBUSB_HOTPLUG_MATCH_ANY, hotplug_event, hub,
	                                      &hub->hotplug_handle) == 0)
		hub->hotplug = 1;
	tsr_log ("ccid", "libusb %s hotplug", hub->hotplug ? "with" : "without");
	return hub;
}

static void
hub_free (struct ccid_hub *hub)
{
	struct ccid_usbdev *d, *next;

	for (d = hub->devs; d != NULL; d = next) {
		next = d->next;
		ccid_usb_close (hub, d);
	}
	if (hub->hotplug)
		libusb_hotplug_deregister_callback (hub->ctx, hub->hotplug_handle);
	libusb_exit (hub->ctx);
	pthread_mutex_destroy (&hub->lock);
	free (hub);
}

struct ccid_hub *
ccid_hub_ref (int create)
{
	struct ccid_hub *hub;

	pthread_mutex_lock (&hub_global);
	if (hub_current != NULL && hub_current->pid != getpid ()) {
		/* A forked child: the parent's USB handles are not ours to use or release. */
		hub_current = NULL;
	}
	if (hub_current == NULL && create)
		hub_current = hub_new ();
	hub = hub_current;
	if (hub != NULL) {
		pthread_mutex_lock (&hub->lock);
		hub->refs++;
		pthread_mutex_unlock (&hub->lock);
	}
	pthread_mutex_unlock (&hub_global);
	return hub;
}

void
ccid_hub_unref (struct ccid_hub *hub)
{
	int last;

	if (hub == NULL)
		return;
	pthread_mutex_lock (&hub_global);
	pthread_mutex_lock (&hub->lock);
	last = --hub->refs == 0;
	pthread_mutex_unlock (&hub->lock);
	if (last && hub == hub_current)
		hub_current = NULL;
	pthread_mutex_unlock (&hub_global);
	if (last)
		hub_free (hub);
}

struct ccid_usbdev *
ccid_hub_find (struct ccid_hub *hub, const char *name, unsigned *slot)
{
	struct ccid_usbdev *d, *found = NULL;
	size_t i;

	pthread_mutex_lock (&hub->lock);
	for (d = hub->devs; d != NULL && found == NULL; d = d->next) {
		if (!d->listed || d->gone)
			continue;
		for (i = 0; i < d->n_slots; i++) {
			if (strcmp (d->slots[i].name, name) == 0) {
				found = d;
				*slot = (unsigned) i;
				d->refs++;
				break;
			}
		}
	}
	pthread_mutex_unlock (&hub->lock);
	return found;
}

void
ccid_usbdev_unref (struct ccid_usbdev *d)
{
	struct ccid_hub *hub = d->hub;
	int last;

	pthread_mutex_lock (&hub->lock);
	last = --d->refs == 0;
	pthread_mutex_unlock (&hub->lock);
	if (last)
		ccid_usb_close (hub, d);
}

reader_rv
ccid_watch_open (struct reader_watch **out)
{
	struct reader_watch *w;

	*out = NULL;
	w = calloc (1, sizeof *w);
	if (w == NULL)
		return READER_E_NO_MEMORY;
	w->hub = ccid_hub_ref (1);
	if (w->hub == NULL) {
		free (w);
		return READER_E_NO_SERVICE;
	}
	*out = w;
	return READER_OK;
}

void
ccid_watch_close (struct reader_watch *w)
{
	struct ccid_usbdev *d, **p, *drop = NULL;
	struct ccid_hub *hub;

	if (w == NULL)
		return;
	hub = w->hub;
	/* The hub's own references go; the devices close with the last connection. */
	pthread_mutex_lock (&hub->lock);
	if (hub->refs == 1) {
		for (p = &hub->devs; (d = *p) != NULL;) {
			if (d->refs == 1) {
				*p = d->next;
				d->next = drop;
				drop = d;
			} else {
				p = &d->next;
			}
		}
	}
	pthread_mutex_unlock (&hub->lock);
	for (d = drop; d != NULL; d = drop) {
		drop = d->next;
		ccid_usb_close (hub, d);
	}
	ccid_hub_unref (hub);
	free (w);
}

/* Drop the devices found gone from the hub's list. */
static void
drop_gone (struct ccid_hub *hub)
{
	struct ccid_usbdev *d, **p, *drop = NULL;

	pthread_mutex_lock (&hub->lock);
	for (p = &hub->devs; (d = *p) != NULL;) {
		/* d->gone, set by any transfer that met the device gone (never waiting for a
		 * connection's exchange in progress) */
		if (d->gone) {
			tsr_log ("ccid", "%s: unplugged", d->slots[0].name);
			d->listed = 0;
			*p = d->next;
			if (--d->refs == 0) {
				d->next = drop;
				drop = d;
			}
		} else {
			p = &d->next;
		}
	}
	pthread_mutex_unlock (&hub->lock);
	for (d = drop; d != NULL; d = drop) {
		drop = d->next;
		ccid_usb_close (hub, d);
	}
}

/* The listed readers' slots into *SEEN. */
static reader_rv
collect (struct ccid_hub *hub, struct reader_seen **out, size_t *out_n)
{
	struct ccid_usbdev *d;
	struct reader_seen *seen = NULL;
	size_t n = 0, i, count = 0;

	pthread_mutex_lock (&hub->lock);
	for (d = hub->devs; d != NULL; d = d->next)
		count += d->n_slots;
	if (count > 0)
		seen = calloc (count, sizeof *seen);
	if (count > 0 && seen == NULL) {
		pthread_mutex_unlock (&hub->lock);
		return READER_E_NO_MEMORY;
	}
	for (d = hub->devs; d != NULL; d = d->next) {
		for (i = 0; i < d->n_slots; i++) {
			const struct ccid_slot_state *s = &d->slots[i];
			struct reader_seen *r = &seen[n++];
			memcpy (r->name, s->name, sizeof r->name);
			memcpy (r->manufacturer, d->manufacturer, sizeof r->manufacturer);
			r->card_present = s->present;
			r->counted = 1;
			r->events = s->events;
			r->atr_len = s->present ? s->atr_len : 0;
			memcpy (r->atr, s->atr, r->atr_len);
		}
	}
	hub->seen = hub->changes;
	pthread_mutex_unlock (&hub->lock);
	*out = seen;
	*out_n = n;
	return READER_OK;
}

reader_rv
ccid_enumerate (struct reader_watch *w, int adopt, struct reader_seen **out, size_t *out_n)
{
	struct ccid_hub *hub = w->hub;
	struct timeval zero = { 0, 0 };
	struct ccid_usbdev *d;
	int scan, polled;

	*out = NULL;
	*out_n = 0;
	(void) libusb_handle_events_timeout_completed (hub->ctx, &zero, NULL);
	pthread_mutex_lock (&hub->lock);
	scan = adopt && (!hub->scanned || hub->rescan);
	if (scan)
		hub->scanned = 1, hub->rescan = 0;
	pthread_mutex_unlock (&hub->lock);
	if (scan)
		ccid_usb_scan (hub);
	for (d = hub->devs; d != NULL; d = d->next) {
		pthread_mutex_lock (&hub->lock);
		polled = d->polled;
		pthread_mutex_unlock (&hub->lock);
		if (polled)
			ccid_usb_poll_slots (d);
	}
	drop_gone (hub);
	return collect (hub, out, out_n);
}

reader_rv
ccid_watch_wait (struct reader_watch *w, long timeout_ms)
{
	struct ccid_hub *hub = w->hub;
	struct timespec start, now;
	reader_rv ret = READER_E_TIMEOUT;

	clock_gettime (CLOCK_MONOTONIC, &start);
	pthread_mutex_lock (&hub->lock);
	hub->woken = 0;
	pthread_mutex_unlock (&hub->lock);
	for (;;) {
		long left = timeout_ms, slice;
		struct timeval tv;
		int polled;
		pthread_mutex_lock (&hub->lock);
		if (hub->changes != hub->seen)
			ret = READER_OK;
		else if (hub->woken)
			ret = READER_E_CANCELLED;
		polled = ccid_usb_any_polled_inlock (hub);
		pthread_mutex_unlock (&hub->lock);
		if (ret != READER_E_TIMEOUT)
			break;
		clock_gettime (CLOCK_MONOTONIC, &now);
		if (timeout_ms >= 0) {
			left = timeout_ms - ((now.tv_sec - start.tv_sec) * 1000 +
			                     (now.tv_nsec - start.tv_nsec) / 1000000);
			if (left <= 0)
				break;
		}
		slice = left < 0 || left > 60000 ? 60000 : left;
		if (polled && slice > CCID_POLL_MS)
			slice = CCID_POLL_MS;
		tv.tv_sec = slice / 1000;
		tv.tv_usec = (slice % 1000) * 1000;
		(void) libusb_handle_events_timeout_completed (hub->ctx, &tv, NULL);
		if (polled) {
			ret = READER_OK;   /* look again: enumerate asks the polled slots */
			break;
		}
	}
	return ret;
}

void
ccid_watch_wake (struct reader_watch *w)
{
	struct ccid_hub *hub = w->hub;

	pthread_mutex_lock (&hub->lock);
	hub->woken = 1;
	pthread_mutex_unlock (&hub->lock);
	libusb_interrupt_event_handler (hub->ctx);
}

