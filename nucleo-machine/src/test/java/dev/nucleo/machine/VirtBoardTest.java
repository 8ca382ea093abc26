package dev.nucleo.machine;

import dev.nucleo.cpu.BusError;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.nucleo.cpu.Interrupts.MEIP;
import static dev.nucleo.cpu.Interrupts.MSIP;
import static dev.nucleo.cpu.Interrupts.SEIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The whole board driven through the bus, the way a hart sees it. */
class VirtBoardTest {
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private final AtomicInteger powerOffs = new AtomicInteger();

    private VirtBoard board() {
        return new VirtBoard(2, 16L << 20, console, new PowerControl() {
            @Override
            public void powerOff() {
                powerOffs.incrementAndGet();
            }

            @Override
            public void reset() {
            }

            @Override
            public void fail(int code) {
            }
        });
    }

    @Test
    void uartInterruptReachesTheHartThroughThePlic() throws Exception {
        try (VirtBoard board = board()) {
            RecordingTarget hart0 = new RecordingTarget();
            board.connectHart(0, hart0);
            MmioBus bus = board.bus();
            long plic = VirtMemoryMap.PLIC_BASE;
            long uart = VirtMemoryMap.UART0_BASE;
            bus.store(plic + 4 * VirtMemoryMap.UART0_IRQ, 4, 1);
            bus.store(plic + 0x2080, 4, 1 << VirtMemoryMap.UART0_IRQ); // context 1: hart 0 S-mode
            bus.store(uart + 1, 1, 0x01); // IER: receive interrupt
            board.uart().receive('x');
            assertTrue(hart0.level(SEIP));
            assertFalse(hart0.level(MEIP));
            assertEquals(VirtMemoryMap.UART0_IRQ, bus.load(plic + 0x20_1004, 4));
            assertEquals('x', bus.load(uart, 1));
            bus.store(plic + 0x20_1004, 4, VirtMemoryMap.UART0_IRQ);
            assertFalse(hart0.level(SEIP));

            bus.store(uart, 1, 'o');
            bus.store(uart, 1, 'k');
            assertEquals("ok", console.toString());
        }
    }

    @Test
    void clintAndFinisherAnswerAtTheirAddresses() {
        try (VirtBoard board = board()) {
            RecordingTarget hart1 = new RecordingTarget();
            board.connectHart(1, hart1);
            board.bus().store(VirtMemoryMap.CLINT_BASE + 4, 4, 1);
            assertTrue(hart1.level(MSIP));
            long t1 = board.bus().load(VirtMemoryMap.CLINT_BASE + 0xbff8, 8);
            assertTrue(board.clint().mtime() >= t1);
            assertTrue(board.bus().load(VirtMemoryMap.RTC_BASE, 4) != 0 || board.bus().load(VirtMemoryMap.RTC_BASE + 4, 4) != 0);
            board.bus().store(VirtMemoryMap.TEST_BASE, 4, 0x5555);
            assertEquals(1, powerOffs.get());
        }
    }

    @Test
    void virtioSlotsAreMappedAndDescribed() {
        try (VirtBoard board = board()) {
            MmioBusTest.Probe probe = new MmioBusTest.Probe(0x7472_6976L - 0x70); // "virt" at 0x70
            IrqLine line = board.attachVirtio(2, probe);
            assertEquals(0x7472_6976L, board.bus().load(VirtMemoryMap.virtioBase(2) + 0x70, 4));
            assertThrows(BusError.class, () -> board.bus().load(VirtMemoryMap.virtioBase(3), 4));
            assertThrows(IllegalArgumentException.class, () -> board.attachVirtio(2, probe));
            BoardConfig config = board.config("console=ttyS0");
            assertEquals(List.of(2), config.virtioSlots());
            assertEquals(16L << 20, config.ramSize());
            RecordingTarget hart0 = new RecordingTarget();
            board.connectHart(0, hart0);
            board.bus().store(VirtMemoryMap.PLIC_BASE + 4 * 3, 4, 1);
            board.bus().store(VirtMemoryMap.PLIC_BASE + 0x2000, 4, 1 << 3); // context 0: M-mode
            line.set(true);
            assertTrue(hart0.level(MEIP));
        }
    }

    @Test
    void ramIsNotOnTheBus() {
        try (VirtBoard board = board()) {
            assertThrows(BusError.class, () -> board.bus().load(VirtMemoryMap.DRAM_BASE, 8));
            assertEquals(VirtMemoryMap.DRAM_BASE, board.ram().base());
        }
    }
}
