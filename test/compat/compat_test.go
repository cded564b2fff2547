package compat

import (
	"fmt"
	"os"
	"testing"

	"github.com/gowsgid/gowsgid/internal/apachetest"
)

// TestCompat runs every site of the suite against real Apache and
// gowsgid and prints "compat: K/N identical". Every request whose answers
// differ fails the test unless the request lists the reason (known).
func TestCompat(t *testing.T) {
	apachetest.Binary(t)
	var sum tally
	for _, s := range sites() {
		t.Run(s.name, func(t *testing.T) {
			if s.root && os.Geteuid() != 0 {
				// The guides' configurations say Listen 80 (and the
				// suite runs them verbatim); only root may bind it.
				t.Skip("the guide configurations Listen on port 80: run as root")
			}
			sum.add(runSite(t, s))
		})
	}
	report(t, "", sum.total, sum.identical, sum.listed)
	line := fmt.Sprintf("compat: %d access log lines compared with Apache's", loggedLines.Load())
	t.Log(line)
	if testing.Verbose() {
		fmt.Println(line)
	}
}

// sites are the suite's configurations.
func sites() []site {
	return []site{
		staticSite(),
		nameVhostsSite(),
		ipVhostsSite(),
		aliasSite(),
		coreDirectivesSite(),
		sectionsSite(),
		optionsSite(),
		htaccessSite(),
		htaccessErrorsSite(),
		accessSite(),
		authSite(),
		authReuseSite(),
		authBasicOptionsSite(),
		dirIndexSite(),
		errorsSite(),
		mimeSite(),
		traversalSite(),
		vhostsSSite(),
		exampleSite(),
		modwsgiGuideSite(),
		indicoGuideSite(),
		wsgiSite(),
		wsgiDaemonSite(),
		wsgiDaemonVhostsSite(),
		scriptOwnerSite(),
		chrootSite(),
		docRootSite(),
		wsgiCaseSite(),
		remoteIPSite(),
		remoteIPMergeSite(),
		proxyProtocolSite(),
		wsgiProxySite(),
		fallbackSite(),
		reqLimitsSite(),
		reqTimeoutSite(),
		reqTimeoutTLSSite(),
		timeoutSite(),
		keepAliveSite(),
		framingSite(),
		chunksSite(),
		errdocListingSite(),
		keepAliveOffSite(),
		hostnameSite(),
		macroSite(),
		allowMethodsSite(),
		setEnvIfRedirectSite(),
		protocolOptionsSite(),
		deflateSite(),
		deflateDaemonSite(),
		actionsSite(),
		tlsSite(),
		tlsInheritSite(),
		tlsClientSite(),
		tlsAccessSite(),
		tlsCRLSite(),
		tlsCiphersSite(),
		tlsOptionalSite(),
		tlsSNISite(""),
		tlsSNISite("strict"),
		tlsSNISite("authonly"),
		tlsSNISite("insecure"),
		h2cSite(),
		autoindexSite(),
		wsgiAuthSite(),
		logsSite(),
		headersSite(),
		headerExprsSite(),
		envSite(),
		envDaemonSite(),
		expiresSite(),
		rewriteRedirectsSite(),
		rewriteMaintenanceSite(),
		rewriteHtaccessSite(),
		rewriteCondsSite(),
		rewriteBackrefsSite(),
		rewriteEscapingSite(),
		rewriteMapsSite(),
		rewritePrgSite(),
		rewriteDBMSite(),
		rewriteWSGISite(),
		rewriteFrontControllerSite(),
		rewriteOptionsSite(),
		rewriteCommonSite(),
		rewriteScopesSite(),
		rewritePCRESite(),
		regexPCRESite(),
		rewriteVhostEngineSite(),
		rewriteVhostInheritDownSite(),
		rewriteUnsafeSite(),
		recursionSite(),
		traceSite(),
		multiviewsSite(),
		typemapSite(),
	}
}
