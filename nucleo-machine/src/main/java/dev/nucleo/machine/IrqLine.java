package dev.nucleo.machine;

/** A level-triggered interrupt wire from a device to the PLIC. Thread-safe. */
@FunctionalInterface
public interface IrqLine {
    void set(boolean level);
}
