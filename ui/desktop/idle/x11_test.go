package idle

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/parley-im/parley/internal/xvfb"
)

// realX starts a private Xvfb and connects to it.
func realX(t *testing.T) (*X11, string) {
	t.Helper()
	display, stop, err := xvfb.Start()
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(stop)
	x, err := OpenX11(display)
	if err != nil {
		t.Fatalf("Xvfb should have MIT-SCREEN-SAVER: %v", err)
	}
	t.Cleanup(x.Close)
	return x, display
}

func moveMouse(t *testing.T, display string, x int) {
	t.Helper()
	if _, err := exec.LookPath("xdotool"); err != nil {
		t.Skip("xdotool is missing: apt-get install -y xdotool (scripts/test.sh does)")
	}
	cmd := exec.Command("xdotool", "mousemove", "10", strconv.Itoa(x))
	cmd.Env = append(os.Environ(), "DISPLAY="+display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("xdotool: %v: %s", err, out)
	}
}

// TestX11IdleGoesAndComesBack: on a real X server the state turns idle
// without input and active at the first mouse move.
func TestX11IdleGoesAndComesBack(t *testing.T) {
	x, display := realX(t)
	d := NewDesktop(nil, x, nil, nil)
	ch := d.Watch(t.Context(), 500*time.Millisecond)
	for s := next(t, ch); !s.Idle; s = next(t, ch) {
	}
	moveMouse(t, display, 100)
	if s := next(t, ch); s.Idle {
		t.Fatalf("still idle after the mouse moved: %+v", s)
	}
	r, err := x.Query()
	if err != nil || r.Idle > 10*time.Second {
		t.Fatalf("query after input: %+v %v", r, err)
	}
}

// BenchmarkX11Query measures one idle question to a real X server (Xvfb):
// the CPU this process spends on it, to price an hour of polling (about
// 13 questions an hour while the user is active with the default
// threshold, 1,800 while away: TestPollCost*).
func BenchmarkX11Query(b *testing.B) {
	display, stop, err := xvfb.Start()
	if err != nil {
		b.Skip(err)
	}
	defer stop()
	x, err := OpenX11(display)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	before := cpuTime()
	for b.Loop() {
		if _, err := x.Query(); err != nil {
			b.Fatal(err)
		}
	}
	perQuery := (cpuTime() - before) / time.Duration(b.N)
	b.ReportMetric(float64(perQuery.Nanoseconds())/1e3, "cpu-µs/op")
	b.ReportMetric(float64((perQuery*1800).Microseconds())/1e3, "cpu-ms/hour-away")
}

// cpuTime is the CPU this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
