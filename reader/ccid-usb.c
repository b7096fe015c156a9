/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * reader/ccid-usb.c: CCID interfaces over libusb-1.0 (see ccid-usb.h): find
 * them on the bus (interface class 0Bh and its class descriptor), claim one
 * (busy: somebody else, pcscd's CCID driver most likely, holds it: skipped and
 * logged; no permission: skipped and logged, see the udev rules), the bulk
 * transport with a time limit on every transfer, the interrupt endpoint's
 * NotifySlotChange (no polling of an idle card), and release.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reader/ccid-usb.h"
#include "reader/log.h"

#define USB_CLASS_CCID 0x0B
#define CCID_REQ_ABORT 0x01

/* The device is gone: for the monitor (hub lock, taken inside a connection's io_lock). */
static void
mark_gone (struct ccid_usbdev *d)
{
	pthread_mutex_lock (&d->hub->lock);
	if (!d->gone) {
		d->gone = 1;
		d->hub->changes++;
	}
	pthread_mutex_unlock (&d->hub->lock);
}

static reader_rv
usb_rv (struct ccid_usbdev *d, const char *what, int err)
{
	if (err == LIBUSB_ERROR_NO_DEVICE) {
		mark_gone (d);
		return READER_E_NO_READER;
	}
	tsr_log ("ccid", "%s: %s: %s", d->dev.name, what, libusb_error_name (err));
	return err == LIBUSB_ERROR_TIMEOUT ? READER_E_TIMEOUT : READER_E_COMM;
}

static reader_rv
usb_send (void *io, const uint8_t *buf, size_t len, unsigned timeout_ms)
{
	struct ccid_usbdev *d = io;
	int done = 0, err;

	err = libusb_bulk_transfer (d->handle, d->ep_out, (unsigned char *) buf, (int) len, &done,
	                            timeout_ms);
	if (err == 0 && (size_t) done == len)
		return READER_OK;
	if (err == 0 || err == LIBUSB_ERROR_TIMEOUT)
		err = LIBUSB_ERROR_IO;   /* a message not taken is a failure, not a wait */
	return usb_rv (d, "bulk OUT", err);
}

static reader_rv
usb_recv (void *io, uint8_t *buf, size_t size, size_t *len, unsigned timeout_ms)
{
	struct ccid_usbdev *d = io;
	int got = 0, err;

	err = libusb_bulk_transfer (d->handle, d->ep_in, buf, (int) size, &got, timeout_ms);
	if (err == 0) {
		*len = (size_t) got;
		return READER_OK;
	}
	if (err == LIBUSB_ERROR_TIMEOUT && got == 0)
		return READER_E_TIMEOUT;
	if (err == LIBUSB_ERROR_PIPE)
		(void) libusb_clear_halt (d->handle, d->ep_in);
	if (err == LIBUSB_ERROR_OVERFLOW)
		tsr_log ("ccid", "%s: babble: the reader sent more than %zu bytes", d->dev.name, size);
	return usb_rv (d, "bulk IN", err);
}

static reader_rv
usb_abort (void *io, uint8_t slot, uint8_t seq)
{
	struct ccid_usbdev *d = io;
	int err;

	err = libusb_control_transfer (d->handle,
	                               LIBUSB_ENDPOINT_OUT | LIBUSB_REQUEST_TYPE_CLASS |
	                               LIBUSB_RECIPIENT_INTERFACE, CCID_REQ_ABORT,
	                               (uint16_t) (seq << 8 | slot), (uint16_t) d->iface, NULL, 0,
	                               CCID_TIMEOUT_CONTROL_MS);
	return err < 0 ? usb_rv (d, "ABORT", err) : READER_OK;
}

const struct ccid_transport_ops ccid_usb_transport = { usb_send, usb_recv, usb_abort };

void
ccid_slot_record_inlock (struct ccid_hub *hub, struct ccid_slot_state *s, int present, int changed)
{
	if (present != s->present) {
		s->events++;
		s->present = present;
	} else if (changed) {
		s->events += 2;          /* out and in again (or in and out) in between */
	} else {
		return;
	}
	if (!present)
		s->atr_len = 0;
	hub->changes++;
}

static void LIBUSB_CALL
intr_done (struct libusb_transfer *t)
{
	struct ccid_usbdev *d = t->user_data;
	struct ccid_hub *hub = d->hub;
	int present, changed;
	size_t i;

	pthread_mutex_lock (&hub->lock);
	if (t->status == LIBUSB_TRANSFER_COMPLETED) {
		for (i = 0; i < d->n_slots; i++) {
			if (ccid_notify_parse (t->buffer, (size_t) t->actual_length, (unsigned) i,
			                       &present, &changed) == 0)
				ccid_slot_record_inlock (hub, &d->slots[i], present, changed && d->intr_seen);
		}
		d->intr_seen = 1;
		if (t->actual_length >= 2 && t->buffer[0] == CCID_RDR_HARDWARE_ERROR)
			tsr_log ("ccid", "%s: hardware error %02X", d->dev.name,
			         t->actual_length >= 4 ? t->buffer[3] : 0);
	} else if (t->status != LIBUSB_TRANSFER_CANCELLED) {
		/* NO_DEVICE when unplugged (also without hotplug), or a broken endpoint */
		tsr_log ("ccid", "%s: interrupt endpoint: status %d: the reader is gone", d->dev.name,
		         (int) t->status);
		d->gone = 1;
		hub->changes++;
	}
	if (t->status == LIBUSB_TRANSFER_COMPLETED && !d->closing && !d->gone) {
		if (libusb_submit_transfer (t) == 0) {
			pthread_mutex_unlock (&hub->lock);
			return;
		}
		tsr_log ("ccid", "%s: interrupt endpoint: listening again failed: slot status polled",
		         d->dev.name);
		d->polled = 1;
	}
	d->intr_active = 0;
	pthread_mutex_unlock (&hub->lock);
}

void
ccid_usb_poll_slots (struct ccid_usbdev *d)
{
	size_t i;
	int present;
	reader_rv r;

	for (i = 0; i < d->n_slots; i++) {
		r = ccid_slot_status (&d->dev, (uint8_t) i, &present);
		pthread_mutex_lock (&d->hub->lock);
		if (r == READER_OK)
			ccid_slot_record_inlock (d->hub, &d->slots[i], present, 0);
		else if (r == READER_E_NO_READER && !d->gone) {
			d->gone = 1;
			d->hub->changes++;
		}
		pthread_mutex_unlock (&d->hub->lock);
	}
}

int
ccid_usb_any_polled_inlock (const struct ccid_hub *hub)
{
	const struct ccid_usbdev *d;

	for (d = hub->devs; d != NULL; d = d->next) {
		if (d->polled)
			return 1;
	}
	return 0;
}

/* Log a skipped device once (busy, no permission): "USB bus/address: WHY: WHAT". */
static void
skip_once (struct ccid_hub *hub, uint8_t bus, uint8_t address, const char *why, const char *what)
{
	size_t i;

	pthread_mutex_lock (&hub->lock);
	for (i = 0; i < hub->n_skipped; i++) {
		if (hub->skipped[i].bus == bus && hub->skipped[i].address == address)
			break;
	}
	if (i == hub->n_skipped && i < sizeof hub->skipped / sizeof hub->skipped[0]) {
		hub->skipped[i].bus = bus;
		hub->skipped[i].address = address;
		hub->n_skipped++;
		tsr_log ("ccid", "USB %03u/%03u: %s: %s", (unsigned) bus, (unsigned) address, why, what);
	}
	pthread_mutex_unlock (&hub->lock);
}

/* The interface's class descriptor: in its extra bytes, or (some readers)
 * in an endpoint's; and its three endpoints. */
static int
read_interface (const struct libusb_interface_descriptor *id, struct ccid_desc *desc,
                uint8_t *in, uint8_t *out, uint8_t *intr)
{
	int i, found;

	found = ccid_desc_parse (id->extra, (size_t) id->extra_length, desc) == 0;
	*in = *out = *intr = 0;
	for (i = 0; i < id->bNumEndpoints; i++) {
		const struct libusb_endpoint_descriptor *ep = &id->endpoint[i];
		int type = ep->bmAttributes & LIBUSB_TRANSFER_TYPE_MASK;
		if (!found)
			found = ccid_desc_parse (ep->extra, (size_t) ep->extra_length, desc) == 0;
		if (type == LIBUSB_TRANSFER_TYPE_BULK && (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN))
			*in = ep->bEndpointAddress;
		else if (type == LIBUSB_TRANSFER_TYPE_BULK)
			*out = ep->bEndpointAddress;
		else if (type == LIBUSB_TRANSFER_TYPE_INTERRUPT && (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN))
			*intr = ep->bEndpointAddress;
	}
	return found && *in != 0 && *out != 0 ? 0 : -1;
}

/* String descriptor INDEX as ASCII into BUF ("" when absent). */
static void
read_string (libusb_device_handle *h, uint8_t index, char *buf, size_t size)
{
	int n;

	buf[0] = '\0';
	if (index == 0)
		return;
	n = libusb_get_string_descriptor_ascii (h, index, (unsigned char *) buf, (int) size);
	buf[n > 0 ? (size_t) n < size ? (size_t) n : size - 1 : 0] = '\0';
}

/* Reader names: "<product> (<serial>)", or with the USB port path when there is
 * no serial number, and " NN" for each slot of a multi-slot reader. */
static void
name_slots (struct ccid_usbdev *d, const struct libusb_device_descriptor *dd)
{
	char product[64], serial[64], base[READER_MAX_NAME - 8];
	uint8_t ports[8];
	int n, k;
	size_t i, off;

	read_string (d->handle, dd->iManufacturer, d->manufacturer, sizeof d->manufacturer);
	if (d->manufacturer[0] == '\0')
		snprintf (d->manufacturer, sizeof d->manufacturer, "USB CCID reader");
	read_string (d->handle, dd->iProduct, product, sizeof product);
	if (product[0] == '\0')
		snprintf (product, sizeof product, "USB CCID reader %04x:%04x", dd->idVendor,
		          dd->idProduct);
	read_string (d->handle, dd->iSerialNumber, serial, sizeof serial);
	if (serial[0] == '\0') {
		n = libusb_get_port_numbers (d->device, ports, (int) sizeof ports);
		off = (size_t) snprintf (serial, sizeof serial, "usb %u", d->bus);
		for (k = 0; k < n && off < sizeof serial; k++)
			off += (size_t) snprintf (serial + off, sizeof serial - off, "%c%u",
			                          k == 0 ? '-' : '.', ports[k]);
	}
	snprintf (base, sizeof base, "%s (%s)%s", product, serial, d->iface != 0 ? " if" : "");
	for (i = 0; i < d->n_slots; i++) {
		if (d->n_slots == 1)
			snprintf (d->slots[i].name, sizeof d->slots[i].name, "%s", base);
		else
			snprintf (d->slots[i].name, sizeof d->slots[i].name, "%s %02u", base,
			          (unsigned) (i & 0xFF));
	}
}

static void
free_device (struct ccid_usbdev *d)
{
	size_t i;

	if (d == NULL)
		return;
	if (d->handle != NULL) {
		libusb_release_interface (d->handle, d->iface);
		libusb_close (d->handle);
	}
	if (d->device != NULL)
		libusb_unref_device (d->device);
	for (i = 0; d->slots != NULL && i < d->n_slots; i++)
		pthread_mutex_destroy (&d->slots[i].txn);
	free (d->slots);
	libusb_free_transfer (d->intr);
	ccid_dev_clear (&d->dev);
	free (d);
}

/* Open and claim, set up the exchange layer and the slots. NULL when skipped. */
static struct ccid_usbdev *
open_interface (struct ccid_hub *hub, libusb_device *device, const struct libusb_device_descriptor *dd,
                const struct libusb_interface_descriptor *id)
{
	struct ccid_usbdev *d;
	struct ccid_desc desc;
	uint8_t bus = libusb_get_bus_number (device), address = libusb_get_device_address (device);
	size_t i;
	int err;

	d = calloc (1, sizeof *d);
	if (d == NULL)
		return NULL;
	d->hub = hub;
	d->bus = bus;
	d->address = address;
	d->iface = id->bInterfaceNumber;
	if (read_interface (id, &desc, &d->ep_in, &d->ep_out, &d->ep_intr) != 0) {
		skip_once (hub, bus, address, "class 0B interface without a CCID descriptor or bulk "
		           "endpoints", "skipped");
		goto fail;
	}
	err = libusb_open (device, &d->handle);
	if (err != 0) {
		d->handle = NULL;
		skip_once (hub, bus, address, libusb_error_name (err), "CCID reader not opened: no "
		           "access to the device (see tessera's udev rules)");
		goto fail;
	}
	err = libusb_claim_interface (d->handle, d->iface);
	if (err != 0) {
		libusb_close (d->handle);
		d->handle = NULL;
		skip_once (hub, bus, address, libusb_error_name (err), "CCID reader skipped: another "
		           "program holds it (pcscd's CCID driver, or another process using tessera)");
		goto fail;
	}
	d->device = libusb_ref_device (device);
	d->n_slots = (size_t) desc.max_slot + 1;
	d->slots = calloc (d->n_slots, sizeof *d->slots);
	if (d->slots == NULL)
		goto fail;
	for (i = 0; i < d->n_slots; i++)
		pthread_mutex_init (&d->slots[i].txn, NULL);
	name_slots (d, dd);
	if (ccid_dev_init (&d->dev, &ccid_usb_transport, d, &desc, d->slots[0].name) != 0)
		goto fail;
	tsr_log ("ccid", "%s: USB %03u/%03u interface %d: CCID %x.%02x, %zu slot(s), protocols %x, "
	         "features %08x, messages up to %u bytes, %s", d->slots[0].name, bus, address, d->iface,
	         desc.bcd >> 8, desc.bcd & 0xFF, d->n_slots, desc.protocols, desc.features,
	         desc.max_msg_len, d->ep_intr ? "interrupt endpoint" : "no interrupt endpoint: polled");
	return d;
fail:
	free_device (d);
	return NULL;
}

/* Start listening on the interrupt endpoint. */
static void
start_interrupt (struct ccid_usbdev *d)
{
	if (d->ep_intr == 0)
		return;
	d->intr = libusb_alloc_transfer (0);
	if (d->intr != NULL)
		libusb_fill_interrupt_transfer (d->intr, d->handle, d->ep_intr, d->intr_buf,
		                                (int) sizeof d->intr_buf, intr_done, d, 0);
	pthread_mutex_lock (&d->hub->lock);
	d->intr_active = d->intr != NULL && libusb_submit_transfer (d->intr) == 0;
	if (!d->intr_active) {
		tsr_log ("ccid", "%s: interrupt endpoint: cannot listen: slot status polled", d->dev.name);
		d->polled = 1;
	}
	pthread_mutex_unlock (&d->hub->lock);
}

static int
known_inlock (const struct ccid_hub *hub, uint8_t bus, uint8_t address, int iface)
{
	const struct ccid_usbdev *d;

	for (d = hub->devs; d != NULL; d = d->next) {
		if (d->listed && d->bus == bus && d->address == address && d->iface == iface)
			return 1;
	}
	return 0;
}

/* Claim the CCID interfaces of DEVICE not held yet. */
static void
scan_device (struct ccid_hub *hub, libusb_device *device)
{
	struct libusb_device_descriptor dd;
	struct libusb_config_descriptor *cfg = NULL;
	uint8_t bus = libusb_get_bus_number (device), address = libusb_get_device_address (device);
	int i, known;

	if (libusb_get_device_descriptor (device, &dd) != 0 ||
	    libusb_get_active_config_descriptor (device, &cfg) != 0)
		return;
	for (i = 0; i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface_descriptor *id;
		struct ccid_usbdev *d;
		if (cfg->interface[i].num_altsetting < 1)
			continue;
		id = &cfg->interface[i].altsetting[0];
		if (id->bInterfaceClass != USB_CLASS_CCID)
			continue;
		pthread_mutex_lock (&hub->lock);
		known = known_inlock (hub, bus, address, id->bInterfaceNumber);
		pthread_mutex_unlock (&hub->lock);
		if (known)
			continue;
		d = open_interface (hub, device, &dd, id);
		if (d == NULL)
			continue;
		ccid_usb_poll_slots (d);
		pthread_mutex_lock (&hub->lock);
		d->refs = 1;
		d->listed = 1;
		d->next = hub->devs;
		hub->devs = d;
		hub->changes++;
		d->polled = d->ep_intr == 0;
		pthread_mutex_unlock (&hub->lock);
		start_interrupt (d);
	}
	libusb_free_config_descriptor (cfg);
}

void
ccid_usb_scan (struct ccid_hub *hub)
{
	libusb_device **list = NULL;
	ssize_t n, i;

	n = libusb_get_device_list (hub->ctx, &list);
	if (n < 0) {
		tsr_log ("ccid", "USB device list: %s", libusb_error_name ((int) n));
		return;
	}
	for (i = 0; i < n; i++)
		scan_device (hub, list[i]);
	libusb_free_device_list (list, 1);
}

void
ccid_usb_close (struct ccid_hub *hub, struct ccid_usbdev *d)
{
	struct timeval tv = { 0, 100000 };
	int active, i;

	pthread_mutex_lock (&hub->lock);
	d->closing = 1;
	active = d->intr_active;
	pthread_mutex_unlock (&hub->lock);
	if (active)
		(void) libusb_cancel_transfer (d->intr);
	/* The callback must have run before the transfer is freed (bounded). */
	for (i = 0; active && i < 50; i++) {
		(void) libusb_handle_events_timeout_completed (hub->ctx, &tv, NULL);
		pthread_mutex_lock (&hub->lock);
		active = d->intr_active;
		pthread_mutex_unlock (&hub->lock);
	}
	if (active) {
		/* its callback may still come, and reads D: both left allocated */
		tsr_log ("ccid", "%s: interrupt transfer not cancelled: left allocated", d->dev.name);
		return;
	}
	tsr_log ("ccid", "%s: released", d->dev.name);
	free_device (d);
}
