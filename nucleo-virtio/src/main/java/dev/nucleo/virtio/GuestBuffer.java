package dev.nucleo.virtio;

/**
 * One buffer of a descriptor chain: {@code length} bytes of guest RAM at guest physical
 * address {@code address}, already checked to lie inside RAM.
 */
public record GuestBuffer(long address, long length) {
}
