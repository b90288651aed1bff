package boltstore

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
)

// The layout of bbolt's pages (format version 2, unchanged since boltdb),
// in the machine's byte order: bbolt maps the file into memory and reads
// the structures in place.
const (
	pageHeaderSize  = 16 // id uint64, flags uint16, count uint16, overflow uint32
	elementSize     = 16 // branch: pos, ksize uint32, pgid uint64; leaf: flags, pos, ksize, vsize uint32
	bucketValueSize = 16 // a bucket's value: root pgid uint64, sequence uint64; an inline page follows when root is 0
	branchPageFlag  = 0x01
	leafPageFlag    = 0x02
	metaPageFlag    = 0x04
	freelistFlag    = 0x10
	bucketLeafFlag  = 0x01
	maxTreeDepth    = 64
	noFreelist      = ^uint64(0)
	metaMagic       = 0xED0CDAED
	metaVersion     = 2
)

// meta is what validateFile needs of a meta page.
type meta struct {
	root, freelist, hwm, txid uint64
	valid                     bool
}

// readMeta reads the meta page id. Its fields follow the page header:
// magic, version, page size, flags (uint32), the root bucket (pgid,
// sequence), the free list's pgid, the high-water mark (the number of
// pages in use), the transaction ID and the FNV-1a checksum of the fields
// before it (uint64).
func readMeta(data []byte, pageSize, id int) meta {
	off := id * pageSize
	if off+80 > len(data) {
		return meta{}
	}
	m := data[off+pageHeaderSize : off+80]
	h := fnv.New64a()
	h.Write(m[:56])
	return meta{
		root: ne.Uint64(m[16:]), freelist: ne.Uint64(m[32:]), hwm: ne.Uint64(m[40:]), txid: ne.Uint64(m[48:]),
		valid: ne.Uint32(m) == metaMagic && ne.Uint32(m[4:]) == metaVersion && ne.Uint64(m[56:]) == h.Sum64(),
	}
}

// validateFile checks the pages of a bbolt file (its bytes are data) that
// bbolt reads without checking, with bbolt's choice of meta page (the
// valid one of the higher transaction): the free list (bbolt allocates
// its count before it looks at it) and the tree of buckets (see
// validateTree).
func validateFile(data []byte, pageSize int) error {
	a, b := readMeta(data, pageSize, 0), readMeta(data, pageSize, 1)
	if b.txid > a.txid {
		a, b = b, a
	}
	m := a
	if !a.valid {
		m = b
	}
	if !m.valid {
		return fmt.Errorf("no valid meta page")
	}
	if m.hwm < 3 || m.hwm > uint64(len(data)/pageSize) {
		return fmt.Errorf("the meta page counts %d pages in use; the file has %d", m.hwm, len(data)/pageSize)
	}
	if m.freelist != noFreelist {
		if err := validateFreelist(data, uint64(pageSize), m.hwm, m.freelist); err != nil {
			return err
		}
	}
	return validateTree(data, pageSize, m.hwm, m.root)
}

// validateFreelist checks the free-list page id: its header, and that its
// page IDs (a count, or 0xFFFF and the count in the first uint64) fit in
// it and are pages in use.
func validateFreelist(data []byte, pageSize, hwm, id uint64) error {
	if id < 2 || id >= hwm {
		return fmt.Errorf("the free list is on page %d, outside the pages in use", id)
	}
	off := id * pageSize
	hdr := data[off:]
	if pid, flags := ne.Uint64(hdr), ne.Uint16(hdr[8:]); pid != id || flags != freelistFlag {
		return fmt.Errorf("page %d is not the free list", id)
	}
	overflow := uint64(ne.Uint32(hdr[12:]))
	if overflow >= hwm-id {
		return fmt.Errorf("page %d overflows beyond the pages in use", id)
	}
	span := data[off : off+(1+overflow)*pageSize]
	count, first := uint64(ne.Uint16(hdr[10:])), uint64(0)
	if count == 0xFFFF {
		if len(span) < pageHeaderSize+8 {
			return fmt.Errorf("the free list is short")
		}
		count, first = ne.Uint64(span[pageHeaderSize:]), 1
	}
	if count >= hwm || pageHeaderSize+(first+count)*8 > uint64(len(span)) {
		return fmt.Errorf("the free list counts %d pages", count)
	}
	for i := range count {
		if pg := ne.Uint64(span[pageHeaderSize+(first+i)*8:]); pg < 2 || pg >= hwm {
			return fmt.Errorf("the free list has page %d, outside the pages in use", pg)
		}
	}
	return nil
}

// validateTree checks the B+tree of buckets that starts at the page root
// in data, the bytes of a bbolt file whose pages below hwm are in use:
// every page it reaches is in use, says it is the page it is, is a branch
// or a leaf, is reached once (no cycles, no shared pages), and has its
// elements, keys and values inside it; the depth is bounded. bbolt checks
// none of this as it reads (it trusts its file), and its cursors loop
// forever on a page that points to itself; after validateTree, reading
// every bucket is safe.
func validateTree(data []byte, pageSize int, hwm uint64, root uint64) error {
	w := &treeWalker{data: data, pageSize: uint64(pageSize), hwm: hwm, seen: map[uint64]bool{}}
	return w.page(root, 0)
}

type treeWalker struct {
	data     []byte
	pageSize uint64
	hwm      uint64
	seen     map[uint64]bool
}

var ne = binary.NativeEndian

func (w *treeWalker) page(id uint64, depth int) error {
	if depth > maxTreeDepth {
		return fmt.Errorf("the tree is deeper than %d pages", maxTreeDepth)
	}
	if id < 2 || id >= w.hwm {
		return fmt.Errorf("page %d is outside the pages in use (2 to %d)", id, w.hwm-1)
	}
	off := id * w.pageSize
	if off+pageHeaderSize > uint64(len(w.data)) {
		return fmt.Errorf("page %d is beyond the end of the file", id)
	}
	hdr := w.data[off:]
	pid, flags, count, overflow := ne.Uint64(hdr), ne.Uint16(hdr[8:]), ne.Uint16(hdr[10:]), uint64(ne.Uint32(hdr[12:]))
	if pid != id {
		return fmt.Errorf("page %d says it is page %d", id, pid)
	}
	if overflow >= w.hwm-id {
		return fmt.Errorf("page %d overflows beyond the pages in use", id)
	}
	for i := id; i <= id+overflow; i++ {
		if w.seen[i] {
			return fmt.Errorf("page %d is used twice", i)
		}
		w.seen[i] = true
	}
	end := off + (1+overflow)*w.pageSize
	if end > uint64(len(w.data)) {
		return fmt.Errorf("page %d is beyond the end of the file", id)
	}
	span := w.data[off:end]
	switch flags {
	case branchPageFlag:
		return w.branch(id, span, int(count), depth)
	case leafPageFlag:
		return w.leaf(id, span, int(count), depth)
	}
	return fmt.Errorf("page %d of the tree has the type flags %#x, not a branch or a leaf", id, flags)
}

// element returns the key and value of the element i of a page whose
// bytes (header included) are span, checking that they lie inside it. A
// key's position is relative to its element.
func element(span []byte, i int, branch bool) (key, value []byte, ok bool) {
	el := uint64(pageHeaderSize + i*elementSize)
	var pos, ksize, vsize uint64
	if branch { // pos, ksize, pgid
		pos, ksize = uint64(ne.Uint32(span[el:])), uint64(ne.Uint32(span[el+4:]))
	} else { // flags, pos, ksize, vsize
		pos, ksize, vsize = uint64(ne.Uint32(span[el+4:])), uint64(ne.Uint32(span[el+8:])), uint64(ne.Uint32(span[el+12:]))
	}
	start := el + pos
	if start+ksize+vsize > uint64(len(span)) {
		return nil, nil, false
	}
	return span[start : start+ksize], span[start+ksize : start+ksize+vsize], true
}

func (w *treeWalker) branch(id uint64, span []byte, count, depth int) error {
	if count == 0 || pageHeaderSize+count*elementSize > len(span) {
		return fmt.Errorf("branch page %d has %d elements, which do not fit", id, count)
	}
	for i := range count {
		if _, _, ok := element(span, i, true); !ok {
			return fmt.Errorf("branch page %d: element %d lies outside the page", id, i)
		}
		child := ne.Uint64(span[pageHeaderSize+i*elementSize+8:])
		if err := w.page(child, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func (w *treeWalker) leaf(id uint64, span []byte, count, depth int) error {
	if pageHeaderSize+count*elementSize > len(span) {
		return fmt.Errorf("leaf page %d has %d elements, which do not fit", id, count)
	}
	for i := range count {
		el := pageHeaderSize + i*elementSize
		_, value, ok := element(span, i, false)
		if !ok {
			return fmt.Errorf("leaf page %d: element %d lies outside the page", id, i)
		}
		if ne.Uint32(span[el:])&bucketLeafFlag == 0 {
			continue
		}
		// A bucket: its root page, or an inline page in its value.
		if len(value) < bucketValueSize {
			return fmt.Errorf("leaf page %d: bucket %d has a short value", id, i)
		}
		root := ne.Uint64(value)
		if root != 0 {
			if err := w.page(root, depth+1); err != nil {
				return err
			}
			continue
		}
		inline := value[bucketValueSize:]
		if len(inline) < pageHeaderSize {
			return fmt.Errorf("leaf page %d: bucket %d has a short inline page", id, i)
		}
		if flags := ne.Uint16(inline[8:]); flags != leafPageFlag {
			return fmt.Errorf("leaf page %d: bucket %d has an inline page of type %#x", id, i, flags)
		}
		if depth+1 > maxTreeDepth {
			return fmt.Errorf("the tree is deeper than %d pages", maxTreeDepth)
		}
		if err := w.leaf(id, inline, int(ne.Uint16(inline[10:])), depth+1); err != nil {
			return err
		}
	}
	return nil
}
