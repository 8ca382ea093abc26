package dev.nucleo.cli;

import java.nio.file.Path;

/** The cached default guest's files, fetched on first use. */
interface DefaultGuest {
    Path firmware() throws CliException;

    Path kernel() throws CliException;

    Path initrd() throws CliException;
}
