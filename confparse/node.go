package confparse

import "strings"

// Node is one directive of the resolved configuration tree, the counterpart
// of Apache's ap_directive_t. Include, Define and the <If*> conditionals are
// already resolved when the tree exists: included files are spliced in where
// they were included and true conditional sections in place of themselves.
type Node struct {
	// Name is the directive as written (after ${VAR} substitution);
	// sections keep their '<' ("<Directory").
	Name string `json:"directive"`
	// Raw is the argument text exactly as Apache keeps it; section nodes
	// keep their closing '>' in it.
	Raw string `json:"args"`
	// File and Line locate the directive; Line is the last physical line of
	// a continued logical line, as Apache reports it.
	File string `json:"file"`
	Line int    `json:"line"`
	// Children holds the body of a section.
	Children []*Node `json:"children,omitempty"`
	// Parent is the enclosing section, nil at top level.
	Parent *Node `json:"-"`

	args     []string // the words of Raw, split once
	readTime bool     // an EXEC_ON_READ directive already run by the reader
}

// Args returns the argument words, split with Apache's rules.
func (n *Node) Args() []string { return n.args }

// IsSection reports whether the node is a section (<Name ...>).
func (n *Node) IsSection() bool { return strings.HasPrefix(n.Name, "<") }

// SectionArg returns a section's argument text: Raw up to its last '>', or
// ok=false when there is no '>' (Apache's "missing closing '>'").
func (n *Node) SectionArg() (string, bool) {
	i := strings.LastIndexByte(n.Raw, '>')
	if i < 0 {
		return "", false
	}
	return n.Raw[:i], true
}

// FindParent returns the nearest enclosing section with the given name
// (case-insensitive, with its '<'), or nil.
func (n *Node) FindParent(name string) *Node {
	for p := n.Parent; p != nil; p = p.Parent {
		if strings.EqualFold(p.Name, name) {
			return p
		}
	}
	return nil
}

// VisitNodes calls fn for every node of the forest in config order, depth first.
func VisitNodes(nodes []*Node, fn func(*Node)) {
	for _, n := range nodes {
		fn(n)
		VisitNodes(n.Children, fn)
	}
}
