package dev.nucleo.vmm.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModInfoTest {
    @Test
    void readsDependsAndOtherFields() {
        ModInfo info = ModInfo.parse(TestModules.module(List.of(
                "alias=fs-ext4", "alias=ext3", "depends=jbd2,mbcache,crc16", "name=ext4")));
        assertEquals(List.of("jbd2", "mbcache", "crc16"), info.depends());
        assertEquals(List.of("fs-ext4", "ext3"), info.fields().get("alias"));
        assertEquals(List.of("ext4"), info.fields().get("name"));
    }

    @Test
    void emptyDependsMeansNone() {
        assertEquals(List.of(), ModInfo.parse(TestModules.module(List.of("depends=", "name=crc16"))).depends());
    }

    @Test
    void rejectsWhatIsNotAnElfModule() {
        assertThrows(IllegalArgumentException.class, () -> ModInfo.parse(new byte[100]));
        byte[] module = TestModules.module(List.of("depends="));
        assertThrows(IllegalArgumentException.class,
                () -> ModInfo.parse(Arrays.copyOf(module, module.length - 10)), "truncated section table");
        byte[] elf32 = module.clone();
        elf32[4] = 1;
        assertThrows(IllegalArgumentException.class, () -> ModInfo.parse(elf32));
    }
}
