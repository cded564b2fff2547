package confparse

import (
	"debug/elf"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// checkModuleFile is what mod_so's dso_load would find wrong with the
// shared object full, which LoadModule names file, for module id: a file
// dlopen refuses (with glibc's reasons) or one without the module's
// structure. "" when Apache would load it. gowsgid loads no shared
// objects, so only these checks are made: an object whose libraries are
// missing passes.
func checkModuleFile(id, file, full string) string {
	tried := full
	if !strings.Contains(file, "/") {
		tried = file
	}
	cannot := func(why string) string {
		return fmt.Sprintf("Cannot load %s into server: %s: %s", file, tried, why)
	}
	f, err := os.Open(full)
	if err != nil {
		return cannot("cannot open shared object file: " + strerror(err))
	}
	defer f.Close()
	// glibc reads the ELF header first: 64 bytes for a 64-bit object.
	var ident [64]byte
	if _, err := io.ReadFull(f, ident[:]); err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return cannot("cannot read file data: " + strerror(pe.Err))
		}
		return cannot("file too short")
	}
	if string(ident[:4]) != elf.ELFMAG {
		return cannot("invalid ELF header")
	}
	if elf.Class(ident[elf.EI_CLASS]) != elf.ELFCLASS64 {
		return cannot("wrong ELF class: " + elf.Class(ident[elf.EI_CLASS]).String())
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return "" // past what gowsgid can judge: let it pass
	}
	syms, err := ef.DynamicSymbols()
	if err != nil {
		return ""
	}
	for _, s := range syms {
		if s.Name == id && s.Section != elf.SHN_UNDEF {
			return ""
		}
	}
	return fmt.Sprintf("Can't locate API module structure `%s' in file %s: %s: undefined symbol: %s", id, full, tried, id)
}
