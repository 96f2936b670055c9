/* SPDX-License-Identifier: GPL-3.0-or-later */
/* brisk — the library's version, written into every document it makes. */
#ifndef BRISK_VERSION_H
#define BRISK_VERSION_H

#define BRISK_VERSION "0.1.0"

#endif
