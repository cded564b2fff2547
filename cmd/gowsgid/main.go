// Command gowsgid serves an Apache httpd 2.4 + mod_wsgi configuration, and
// checks one the way apache2 -t does. Its flags are spelled like httpd's so
// scripts and unit files written for Apache keep working.
package main

import (
	"os"
)

func main() {
	os.Exit(execute(os.Args[1:]))
}
