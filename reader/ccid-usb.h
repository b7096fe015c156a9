/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-usb.h: the USB side of the direct CCID backend (internal):
 * one claimed CCID interface (ccid-usb.c) and the process's hub of them
 * (ccid-hub.c), which the watch and the connections (ccid-ops.c) share.
 *
 * Locks: hub->lock guards the hub's fields and every device's fields marked
 * "hub"; it is the innermost lock (taken inside a device's io_lock, by libusb
 * callbacks too) and no libusb call that can run callbacks is made while it is
 * held. A device's exchanges are serialised by its ccid_dev.io_lock; a slot's
 * transactions by its txn mutex (begin .. end).
 */
#ifndef TSR_READER_CCID_USB_H
#define TSR_READER_CCID_USB_H

#include <libusb.h>
#include <pthread.h>
#include <sys/types.h>

#include "reader/ccid.h"

struct ccid_hub;

/* One slot of a reader, as the hub knows it. */
struct ccid_slot_state {
	char name[READER_MAX_NAME];   /* the reader name of this slot (fixed) */
	int present;                  /* hub: an ICC is in the slot */
	uint16_t events;              /* hub: insertions + removals seen */
	uint8_t atr[READER_MAX_ATR];  /* hub: the ATR of the last power on */
	size_t atr_len;               /* hub: 0 while not powered by us */
	unsigned resets;              /* hub: power cycles by a connection */
	pthread_mutex_t txn;          /* held from begin to end */
};

/* One claimed CCID interface. */
struct ccid_usbdev {
	struct ccid_usbdev *next;     /* hub: the hub's list */
	struct ccid_hub *hub;
	int refs;                     /* hub: the hub's list (while listed) + connections */
	int listed;                   /* hub: in the hub's list (not yet found gone) */
	int gone;                     /* hub: unplugged (interrupt endpoint or a transfer) */
	libusb_device *device;        /* a reference */
	libusb_device_handle *handle;
	uint8_t bus, address;
	int iface;
	uint8_t ep_in, ep_out, ep_intr;   /* ep_intr 0: none (slot status polled) */
	struct ccid_dev dev;          /* the exchange layer, io = this */
	char manufacturer[READER_MAX_MANUFACTURER];
	struct ccid_slot_state *slots;    /* owned, dev.desc.max_slot + 1 */
	size_t n_slots;
	struct libusb_transfer *intr; /* owned; in flight while intr_active */
	uint8_t intr_buf[64];
	int intr_active;              /* hub */
	int intr_seen;                /* hub: a notification came since the device was opened
	                                 (the first one's "changed" bits may be older than
	                                 the slot status read at open: not counted) */
	int closing;                  /* hub: do not resubmit */
	int polled;                   /* hub: slot status asked by enumerate (no interrupt
	                                 endpoint, or listening on it failed) */
};

struct ccid_hub {
	pthread_mutex_t lock;
	libusb_context *ctx;
	pid_t pid;
	int refs;                     /* lock: watches + connections */
	struct ccid_usbdev *devs;     /* lock */
	int scanned;                  /* lock: the bus was scanned once */
	int rescan;                   /* lock: hotplug said the bus changed */
	unsigned changes;             /* lock: bumped by every change seen */
	unsigned seen;                /* lock: CHANGES at the last enumerate */
	int woken;                    /* lock */
	int hotplug;                  /* hotplug callbacks registered */
	libusb_hotplug_callback_handle hotplug_handle;
	struct { uint8_t bus, address; } skipped[16];   /* lock: logged as busy / denied */
	size_t n_skipped;
};

/* ccid-usb.c */
extern const struct ccid_transport_ops ccid_usb_transport;
/* Whether a listed reader's slot status is polled (hub lock held). */
int ccid_usb_any_polled_inlock (const struct ccid_hub *hub);

/* Scan the bus and claim the CCID interfaces not yet in the hub (not under the
 * hub lock). Busy or forbidden interfaces are skipped and logged once. */
void ccid_usb_scan (struct ccid_hub *hub);

/* Release one device's interface and free it (its refs reached 0). */
void ccid_usb_close (struct ccid_hub *hub, struct ccid_usbdev *d);

/* Query every slot of D (GetSlotStatus) and record the result (readers
 * without an interrupt endpoint, and at open). */
void ccid_usb_poll_slots (struct ccid_usbdev *d);

/* A slot's presence as seen now: record it, counting events (hub lock held). */
void ccid_slot_record_inlock (struct ccid_hub *hub, struct ccid_slot_state *s, int present,
                              int changed);

/* ccid-hub.c */
/* The process's hub, referenced: created when CREATE (a watch) and there is
 * none; NULL when there is none (and not CREATE) or libusb cannot start.
 * Release with ccid_hub_unref. */
struct ccid_hub *ccid_hub_ref (int create);
void ccid_hub_unref (struct ccid_hub *hub);
/* The device and slot holding reader NAME, the device referenced (unref with
 * ccid_usbdev_unref); NULL when no listed reader has that name. */
struct ccid_usbdev *ccid_hub_find (struct ccid_hub *hub, const char *name, unsigned *slot);
void ccid_usbdev_unref (struct ccid_usbdev *d);

/* The watch of struct reader_ops (see reader.h). */
reader_rv ccid_watch_open (struct reader_watch **watch);
void ccid_watch_close (struct reader_watch *watch);
reader_rv ccid_enumerate (struct reader_watch *watch, int adopt, struct reader_seen **seen,
                          size_t *n);
reader_rv ccid_watch_wait (struct reader_watch *watch, long timeout_ms);
void ccid_watch_wake (struct reader_watch *watch);

#endif /* TSR_READER_CCID_USB_H */
