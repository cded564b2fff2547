package status

import (
	"testing"
	"time"

	"github.com/gowsgid/gowsgid/vhost"
)

// BenchmarkRecord is what counting adds to a request: Begin, the
// Transaction hook's Record, End. `go test ./status -bench Record
// -benchmem`.
func BenchmarkRecord(b *testing.B) {
	s := New()
	rc := s.Recorder()
	h := &vhost.Host{Hostname: "bench.test"}
	b.Run("serial", func(b *testing.B) {
		r := &vhost.Request{Host: h, Start: time.Now(), Response: &vhost.Response{Status: 200, Bytes: 4096}}
		b.ReportAllocs()
		for b.Loop() {
			s.Begin()
			rc.Record(r)
			s.End()
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			r := &vhost.Request{Host: h, Start: time.Now(), Response: &vhost.Response{Status: 200, Bytes: 4096}}
			for pb.Next() {
				s.Begin()
				rc.Record(r)
				s.End()
			}
		})
	})
}
