package main

import (
	"github.com/gowsgid/gowsgid/authz"
	"github.com/gowsgid/gowsgid/confparse"
	"github.com/gowsgid/gowsgid/vhost"
)

// services wires the serving packages into the virtual host table.
func services(cfg *confparse.Config) vhost.Services {
	checker := authz.NewChecker(authz.Options{ModuleLoaded: cfg.Tree.IsLoaded})
	return vhost.Services{Access: vhost.AuthzAccess{Checker: checker}}
}
