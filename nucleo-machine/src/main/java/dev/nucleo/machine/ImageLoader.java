package dev.nucleo.machine;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.zip.GZIPInputStream;

/**
 * Puts the boot images into guest RAM where firmware and kernel expect them, in this order:
 * <ol>
 *   <li>{@link #loadFirmware}: OpenSBI ({@code fw_jump.bin}, or an ELF) at the RAM base;</li>
 *   <li>{@link #loadKernel}: a Linux RISC-V {@code Image} (plain or gzip-compressed, or an
 *       ELF vmlinux) at RAM base + {@link VirtMemoryMap#KERNEL_OFFSET};</li>
 *   <li>{@link #loadInitrd}: the initial ramdisk above the kernel;</li>
 *   <li>{@link #loadFdt}: the device tree, in the last {@link #FDT_WINDOW} bytes of RAM, so
 *       firmware can grow it in place.</li>
 * </ol>
 * Every size is checked against the file and RAM; user errors are {@link ImageException}s.
 */
public final class ImageLoader {
    /** The top of RAM kept for the device tree (and its in-place growth by firmware). */
    public static final long FDT_WINDOW = 2L << 20;
    /**
     * Where OpenSBI's generic fw_jump copies the device tree before entering the kernel
     * (FW_JUMP_FDT_OFFSET from its load address; seen as "Next Arg1 0x82200000" at boot).
     * The kernel image and the initrd must stay clear of it.
     */
    public static final long FW_JUMP_FDT_OFFSET = 0x220_0000L;

    private static final System.Logger LOG = System.getLogger(ImageLoader.class.getName());

    static final int IMAGE_HEADER_SIZE = 64;
    static final int IMAGE_SIZE_OFFSET = 0x10;
    static final int IMAGE_FLAGS_OFFSET = 0x18;
    static final int IMAGE_MAGIC2_OFFSET = 0x38;
    /** "RSC\x05" read as a little-endian u32. */
    static final int IMAGE_MAGIC2 = 0x0543_5352;

    private static final long MIB = 1L << 20;
    private static final long ALIGN_2M = 2 * MIB;

    /**
     * A kernel in RAM.
     *
     * @param loadAddress where its first byte is
     * @param entry       where to jump (the load address for an Image)
     * @param fileSize    bytes copied
     * @param imageSize   bytes of RAM it occupies once running (including bss)
     */
    public record KernelImage(long loadAddress, long entry, long fileSize, long imageSize) {
        /** One past the last byte the kernel occupies. */
        public long end() {
            return loadAddress + Math.max(fileSize, imageSize);
        }
    }

    /** A range of guest physical addresses, [start, end). */
    public record Extent(long start, long end) {
    }

    private enum KernelFormat { ELF, GZIP, IMAGE }

    private ImageLoader() {
    }

    /**
     * Loads firmware: an ELF executable goes where its headers say, a position-independent ELF
     * and anything else (a flat binary such as {@code fw_jump.bin}) to the RAM base.
     *
     * @return the firmware entry point
     */
    public static long loadFirmware(GuestRam ram, Path file) throws ImageException {
        byte[] head = head(file, 64, "firmware");
        if (ElfLoader.isPositionIndependent(head)) {
            // e.g. OpenSBI's fw_jump.elf, linked at 0: it relocates itself wherever it runs
            return ElfLoader.loadAt(ram, file, "firmware", ram.base()).entry();
        }
        if (ElfLoader.isElf(head)) {
            return ElfLoader.load(ram, file, "firmware").entry();
        }
        loadRaw(ram, ram.base(), file, "firmware");
        return ram.base();
    }

    /**
     * Where {@link #loadFirmware} would put the firmware in a RAM starting at {@code ramBase},
     * read from its headers (checked exactly as loading checks them) without loading it.
     */
    public static Extent firmwareExtent(Path file, long ramBase) throws ImageException {
        byte[] head = head(file, 64, "firmware");
        if (ElfLoader.isElf(head)) {
            ElfLoader.LoadedElf elf = ElfLoader.inspect(file, "firmware");
            if (ElfLoader.isPositionIndependent(head)) {
                return new Extent(ramBase, ramBase + (elf.highAddress() - elf.lowAddress()));
            }
            return new Extent(elf.lowAddress(), elf.highAddress());
        }
        return new Extent(ramBase, ramBase + fileSize(file, "firmware"));
    }

    /**
     * Copies {@code file} to {@code address} unchanged.
     *
     * @return the file's size
     */
    public static long loadRaw(GuestRam ram, long address, Path file, String what) throws ImageException {
        long size = fileSize(file, what);
        if (!ram.contains(address, size)) {
            throw new ImageException(String.format(Locale.ROOT,
                    "%s %s (%d bytes) does not fit in guest RAM at 0x%x (RAM is [0x%x, 0x%x))",
                    what, file, size, address, ram.base(), ram.end()));
        }
        try {
            return ram.load(address, file);
        } catch (IOException e) {
            throw new ImageException("cannot read " + what + " " + file + ": " + e, e);
        }
    }

    /**
     * Loads a Linux kernel at RAM base + 2 MiB. Accepts the RISC-V {@code Image} format (checked
     * by its header magic; its image_size must fit in RAM), the same gzip-compressed
     * ({@code Image.gz}), or an ELF {@code vmlinux} (loaded by its program headers).
     */
    public static KernelImage loadKernel(GuestRam ram, Path file) throws ImageException {
        byte[] head = head(file, IMAGE_HEADER_SIZE, "kernel");
        return switch (kernelFormat(head, file)) {
            case ELF -> {
                // vmlinux is linked at kernel virtual addresses; place it like its flat Image.
                ElfLoader.LoadedElf elf = ElfLoader.loadAt(ram, file, "kernel",
                        ram.base() + VirtMemoryMap.KERNEL_OFFSET);
                long size = elf.highAddress() - elf.lowAddress();
                yield warnIfOverFirmwareFdt(ram, new KernelImage(elf.lowAddress(), elf.entry(), size, size), file);
            }
            case GZIP -> loadCompressedImage(ram, file);
            case IMAGE -> loadPlainImage(ram, file, head);
        };
    }

    /**
     * The bytes of RAM the kernel will occupy from RAM base + {@link VirtMemoryMap#KERNEL_OFFSET},
     * read from its headers (checked as {@link #loadKernel} checks them) without loading it.
     * For a gzip-compressed Image that does not state its size, 0: only decompressing tells.
     */
    public static long kernelSpan(Path file) throws ImageException {
        byte[] head = head(file, IMAGE_HEADER_SIZE, "kernel");
        return switch (kernelFormat(head, file)) {
            case ELF -> {
                ElfLoader.LoadedElf elf = ElfLoader.inspect(file, "kernel");
                yield elf.highAddress() - elf.lowAddress();
            }
            case GZIP -> {
                try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
                    yield checkImageHeader(in.readNBytes(IMAGE_HEADER_SIZE), file + " (decompressed)");
                } catch (IOException e) {
                    throw new ImageException("cannot decompress kernel " + file + ": " + e, e);
                }
            }
            case IMAGE -> Math.max(fileSize(file, "kernel"), checkPlainImage(file, head));
        };
    }

    private static KernelFormat kernelFormat(byte[] head, Path file) throws ImageException {
        if (ElfLoader.isElf(head)) {
            return KernelFormat.ELF;
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return KernelFormat.GZIP;
        }
        if (head.length >= 8 && head[0] == 'M' && head[1] == 'Z'
                && head[4] == 'z' && head[5] == 'i' && head[6] == 'm' && head[7] == 'g') {
            throw new ImageException("kernel " + file + " is an EFI zboot image (compressed vmlinuz);"
                    + " extract the Image from it (e.g. with the kernel's scripts/extract-vmlinux) and pass that");
        }
        return KernelFormat.IMAGE;
    }

    /**
     * Checks an uncompressed Image's header and that the file is whole; returns its image size.
     * Only an EFI stub's PE section table says how long the file should be; without one, a file
     * that is nothing but the header is all that can be recognised as cut short.
     */
    private static long checkPlainImage(Path file, byte[] head) throws ImageException {
        String name = "kernel " + file;
        long imageSize = checkImageHeader(head, file.toString());
        long fileSize = fileSize(file, "kernel");
        if (EfiStubHeader.present(head)) {
            OptionalLong required = EfiStubHeader.requiredLength(file, head, name);
            if (required.isPresent() && fileSize < required.getAsLong()) {
                throw new ImageException(String.format(Locale.ROOT,
                        "%s is truncated: it is %d bytes, but its EFI stub's PE/COFF sections run to byte %d",
                        name, fileSize, required.getAsLong()));
            }
        } else if (fileSize <= IMAGE_HEADER_SIZE) {
            throw new ImageException(name + " is truncated: it is " + fileSize
                    + " bytes, nothing but a RISC-V Image header");
        }
        return imageSize;
    }

    private static KernelImage loadPlainImage(GuestRam ram, Path file, byte[] head) throws ImageException {
        long address = ram.base() + VirtMemoryMap.KERNEL_OFFSET;
        long imageSize = checkPlainImage(file, head);
        long fileSize = fileSize(file, "kernel");
        checkKernelFits(ram, address, Math.max(fileSize, imageSize), file.toString());
        loadRaw(ram, address, file, "kernel");
        zeroBss(ram, address, fileSize, imageSize);
        return warnIfOverFirmwareFdt(ram, new KernelImage(address, address, fileSize, imageSize), file);
    }

    /** A kernel reaching OpenSBI fw_jump's FDT copy gets its bss overwritten; say so early. */
    private static KernelImage warnIfOverFirmwareFdt(GuestRam ram, KernelImage kernel, Path file) {
        long fdtCopy = ram.base() + FW_JUMP_FDT_OFFSET;
        if (Long.compareUnsigned(kernel.end(), fdtCopy) > 0) {
            LOG.log(System.Logger.Level.WARNING, String.format(Locale.ROOT,
                    "kernel %s ends at 0x%x, past 0x%x where OpenSBI fw_jump puts the device tree;"
                            + " with that firmware the kernel will be corrupted", file, kernel.end(), fdtCopy));
        }
        return kernel;
    }

    /**
     * Loads an initrd at the customary place: 128 MiB into RAM (half of RAM if that is under
     * 256 MiB), far enough up that the kernel does not overwrite it while starting, yet low;
     * but never below the end of the kernel ({@code kernelEnd}) or OpenSBI's FDT copy.
     */
    public static BoardConfig.Initrd loadInitrd(GuestRam ram, Path file, long kernelEnd) throws ImageException {
        long address = initrdAddress(ram.base(), ram.size(), kernelEnd);
        long size = fileSize(file, "initrd");
        long limit = fdtWindowStart(ram);
        if (Long.compareUnsigned(address, limit) > 0 || size > limit - address) {
            throw new ImageException(String.format(Locale.ROOT,
                    "initrd %s (%d bytes) does not fit in guest RAM between 0x%x and 0x%x; give the VM more memory",
                    file, size, address, limit));
        }
        loadRaw(ram, address, file, "initrd");
        return new BoardConfig.Initrd(address, address + size);
    }

    /**
     * Copies the device tree to the start of the last {@link #FDT_WINDOW} of RAM (2 MiB aligned,
     * out of the kernel's and initrd's way, with room above for firmware to grow it).
     *
     * @return the FDT's address, to pass to the boot hart in a1
     */
    public static long loadFdt(GuestRam ram, byte[] dtb) throws ImageException {
        if (dtb.length > FDT_WINDOW) {
            throw new ImageException("device tree of " + dtb.length + " bytes is larger than " + FDT_WINDOW);
        }
        long address = fdtWindowStart(ram);
        if (!ram.contains(address, dtb.length)) {
            throw new ImageException("guest RAM " + ram + " is too small for the device tree");
        }
        ram.load(address, dtb);
        return address;
    }

    /** Where {@link #loadInitrd} puts an initrd in this RAM, above a kernel ending at {@code kernelEnd}. */
    public static long initrdAddress(long ramBase, long ramSize, long kernelEnd) {
        long preferred = ramBase + (ramSize < 256 * MIB ? ramSize / 2 : 128 * MIB);
        long clearOfFirmwareFdt = ramBase + FW_JUMP_FDT_OFFSET + FDT_WINDOW;
        return Math.max(Math.max(preferred, clearOfFirmwareFdt), alignUp(kernelEnd, ALIGN_2M));
    }

    /** Where {@link #loadFdt} puts the device tree; nothing else should be loaded from here up. */
    public static long fdtWindowStart(GuestRam ram) {
        return fdtWindowStart(ram.base(), ram.size());
    }

    /** As {@link #fdtWindowStart(GuestRam)}, for a RAM of {@code ramSize} bytes at {@code ramBase}. */
    public static long fdtWindowStart(long ramBase, long ramSize) {
        long start = alignDown(ramBase + ramSize - FDT_WINDOW, ALIGN_2M);
        return Long.compareUnsigned(start, ramBase) < 0 ? ramBase : start;
    }

    /** The effective image size from a RISC-V Image header (the file size if it is 0). */
    static long checkImageHeader(byte[] head, String name) throws ImageException {
        if (head.length < IMAGE_HEADER_SIZE) {
            throw new ImageException("kernel " + name + " is " + head.length
                    + " bytes, too short for a RISC-V Image header (" + IMAGE_HEADER_SIZE + " bytes)");
        }
        ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
        if (h.getInt(IMAGE_MAGIC2_OFFSET) != IMAGE_MAGIC2) {
            throw new ImageException("kernel " + name + " is not a RISC-V Linux Image"
                    + " (no \"RSC\\x05\" magic at offset 0x38); pass the arch/riscv/boot/Image file");
        }
        if ((h.getLong(IMAGE_FLAGS_OFFSET) & 1) != 0) {
            throw new ImageException("kernel " + name + " is a big-endian Image; the board is little-endian");
        }
        long imageSize = h.getLong(IMAGE_SIZE_OFFSET);
        if (imageSize < 0) {
            throw new ImageException(String.format(Locale.ROOT,
                    "kernel %s claims an absurd image size 0x%x", name, imageSize));
        }
        return imageSize;
    }

    private static KernelImage loadCompressedImage(GuestRam ram, Path file) throws ImageException {
        long address = ram.base() + VirtMemoryMap.KERNEL_OFFSET;
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(file)), 1 << 16)) {
            byte[] head = in.readNBytes(IMAGE_HEADER_SIZE);
            long imageSize = checkImageHeader(head, file + " (decompressed)");
            checkKernelFits(ram, address, Math.max(imageSize, head.length), file.toString());
            ram.load(address, head);
            long written = head.length;
            byte[] buffer = new byte[1 << 20];
            for (int n; (n = in.read(buffer)) > 0; written += n) {
                if (!ram.contains(address + written, n)) {
                    throw new ImageException(String.format(Locale.ROOT,
                            "kernel %s decompresses to more than the %d bytes of guest RAM above 0x%x",
                            file, ram.end() - address, address));
                }
                ram.load(address + written, buffer, 0, n);
            }
            zeroBss(ram, address, written, imageSize);
            return warnIfOverFirmwareFdt(ram, new KernelImage(address, address, written, imageSize), file);
        } catch (IOException e) {
            throw new ImageException("cannot decompress kernel " + file + ": " + e, e);
        }
    }

    private static void checkKernelFits(GuestRam ram, long address, long size, String name) throws ImageException {
        if (!ram.contains(address, size)) {
            throw new ImageException(String.format(Locale.ROOT,
                    "kernel %s needs 0x%x bytes at 0x%x but guest RAM ends at 0x%x; give the VM more memory",
                    name, size, address, ram.end()));
        }
    }

    /** Clears the Image's bss: RAM may hold an earlier boot's data after a reset. */
    private static void zeroBss(GuestRam ram, long address, long fileSize, long imageSize) {
        if (imageSize > fileSize) {
            ram.zero(address + fileSize, imageSize - fileSize);
        }
    }

    private static byte[] head(Path file, int length, String what) throws ImageException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(length);
        } catch (IOException e) {
            throw new ImageException("cannot read " + what + " " + file + ": " + e, e);
        }
    }

    private static long fileSize(Path file, String what) throws ImageException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new ImageException("cannot read " + what + " " + file + ": " + e, e);
        }
    }

    private static long alignUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    private static long alignDown(long value, long alignment) {
        return value & -alignment;
    }
}
