/* SPDX-License-Identifier: GPL-2.0 */
/* bpf_testmod: BTF of the module, compiled into split BTF at COMING (placeholder until the BTF compiler). */
