package httpd

import "testing"

// modMacro loads mod_macro.
const modMacro = "LoadModule macro_module /usr/lib/apache2/modules/mod_macro.so\n"

// macroCases cover mod_macro: definitions, expansion spliced into the
// file at the Use line (sections opened by one macro and closed by
// another or by the file), nesting, flags, and every message mod_macro
// and the directives of an expansion give, with the expansion's name.
var macroCases = []diffCase{
	{name: "vhosts", args: []string{"-S"}, conf: modMacro + `<Macro VHost $name $port @dir>
  # a comment, not part of the body
  <VirtualHost *:$port>
    ServerName $name
    DocumentRoot @dir
  </VirtualHost>
</Macro>
Listen 8080
Use VHost a.example 8080 "$DIR"
Use VHost b.example 8080 $DIR/sub
UndefMacro VHost`, files: map[string]string{"sub/x": ""}},
	{name: "error-in-expansion", conf: modMacro + "<Macro Bad $a>\n  ServerAdmin $a\n  Bogus $a\n</Macro>\nUse Bad x"},
	{name: "read-error-in-expansion", conf: modMacro + "<Macro Bad>\n</VirtualHost>\n</Macro>\nUse Bad"},
	{name: "sections-across-uses", conf: modMacro + "<Macro Start $p>\n<VirtualHost *:$p>\n</Macro>\n<Macro End>\n</VirtualHost>\n</Macro>\n" +
		"Use Start 80\nServerName x\nUse End\nUse Start 81\nServerAdmin a@b\n</VirtualHost>\nUse Start 82"},
	{name: "wrong-argument-count", conf: modMacro + "<Macro A $x $y>\nServerAdmin $x$y\n</Macro>\nUse A 1"},
	{name: "use-before-any-macro", conf: modMacro + "Use Foo"},
	{name: "use-undefined", conf: modMacro + "<Macro A $x>\nServerAdmin $x\n</Macro>\nUse B"},
	{name: "use-without-name", conf: modMacro + "<Macro A $x>\nServerAdmin $x\n</Macro>\nUse"},
	{name: "recursion", conf: modMacro + "<Macro A $x>\nServerAdmin $x\nUse A $x\n</Macro>\nUse A 1"},
	{name: "indirect-recursion", conf: modMacro + "<Macro A>\nUse B\n</Macro>\n<Macro B>\nUse A\n</Macro>\nUse A"},
	{name: "undefine", conf: modMacro + "<Macro A $x>\nServerAdmin $x\n</Macro>\nUndefMacro a\nUse A 1"},
	{name: "undefine-before-any", conf: modMacro + "UndefMacro a"},
	{name: "undefine-unknown", conf: modMacro + "<Macro A $x>\nServerAdmin $x\n</Macro>\nUndefMacro b"},
	{name: "parameter-warnings", conf: modMacro + "<Macro A x $xy %z @w>\nServerAdmin $xy\n</Macro>\nUse A \"\" 1 2 3"},
	{name: "prefix-conflict", conf: modMacro + "<Macro A $x $xy>\nServerAdmin $xy\nServerAdmin $x\n</Macro>\nUse A a b"},
	{name: "duplicate-parameters", conf: modMacro + "<Macro A $x $x>\nServerAdmin $x\n</Macro>"},
	{name: "empty-body", conf: modMacro + "<Macro A $x>\n</Macro>\nUse A 1"},
	{name: "redefined", conf: modMacro + "<Macro A $x>\nServerAdmin $x\n</Macro>\n<Macro a $y>\nServerAdmin $y\n</Macro>\nUse A z"},
	{name: "name-like-parameter", conf: modMacro + "<Macro $A $x>\nServerAdmin $x\n</Macro>"},
	{name: "missing-gt", conf: modMacro + "<Macro A $x\nServerAdmin $x\n</Macro>"},
	{name: "empty-name", conf: modMacro + "<Macro >\n</Macro>"},
	{name: "bare-tag", conf: modMacro + "<Macro>\n</Macro>"},
	{name: "quoted-empty-name", conf: modMacro + "<Macro \"\" $x>\n</Macro>"},
	{name: "unterminated", conf: modMacro + "<Macro A $x>\nServerAdmin $x"},
	{name: "stray-close", conf: modMacro + "</Macro>"},
	{name: "flags", conf: modMacro + "<Macro A /IgnoreEmptyArgs /Foo $x>\nServerAdmin a$x\n</Macro>\nUse A \"\"\n<Macro B /foo>\nServerAdmin b\n</Macro>"},
	{name: "flags-joined", conf: modMacro + "<Macro A /IgnoreBadNesting/IgnoreEmptyArgs $x>\n</VirtualHost>\nServerAdmin a$x\n</Macro>"},
	{name: "global-switches", conf: modMacro + "MacroIgnoreEmptyArgs\nMacroIgnoreBadNesting\n<Macro A $x>\n<Directory /x>\nServerAdmin a$x\n</Macro>\nUse A \"\"\n</Directory>"},
	{name: "define-syntax-parameter", conf: modMacro + "<Macro A ${x}>\nServerAdmin ${x}\n</Macro>\nUse A y"},
	{name: "define-inside-body", conf: modMacro + "Define ADMIN root\n<Macro A $d>\nServerAdmin ${ADMIN}@$d\nBogus ${ADMIN}\n</Macro>\nUse A example.org"},
	{name: "quoting-parameter", conf: modMacro + "<Macro A @d>\nDocumentRoot @d\n</Macro>\nUse A \"$DIR/a \\\\\\\"b\""},
	{name: "junk-after-tags", conf: modMacro + "<Macro A $x>  junk\nServerAdmin $x\n</Macro>  more junk\n<Macro B $x> # comment\nServerAdmin $x\n</Macro> # comment\nUse A a\nUse B b"},
	{name: "nested-definitions", conf: modMacro + "<Macro Outer $n>\n<Macro Inner_$n $v>\nServerAdmin $v@$n\n</Macro>\n</Macro>\nUse Outer x\nUse Inner_x me\nUse inner_X"},
	{name: "in-false-conditional", conf: modMacro + "<IfDefine NOPE>\n<Macro A $x>\nServerAdmin $x\n</Macro>\n</IfDefine>\nUse A b"},
	{name: "conditional-in-body", conf: modMacro + "<Macro A $x>\n<IfDefine NOPE>\nBogus\n</IfDefine>\nServerAdmin $x\nBogus2\n</Macro>\nUse A b"},
	{name: "continued-lines", conf: modMacro + "<Macro A $x>\nServerAdmin \\\n  $x\nServerName $x \\\n  extra\n</Macro>\nUse A b"},
	{name: "used-from-include", conf: modMacro + "<Macro A $x>\nServerAdmin $x\nBogus $x\n</Macro>\nInclude inc.conf",
		files: map[string]string{"inc.conf": "\nUse A from-include"}},
	{name: "defined-in-include", conf: modMacro + "Include inc.conf\nUse A main",
		files: map[string]string{"inc.conf": "<Macro A $x>\nBogus $x\n</Macro>"}},
	{name: "use-in-command-line", args: []string{"-c", "Use A cmdline"}, conf: modMacro + "<Macro A $x>\nBogus $x\n</Macro>"},
	{name: "not-loaded", conf: "<Macro A $x>\nServerAdmin $x\n</Macro>"},
}

func TestMacrosAgainstApache(t *testing.T) {
	bin := apache2(t)
	for _, tc := range macroCases {
		t.Run(tc.name, func(t *testing.T) { runDiffCase(t, bin, tc) })
	}
}
