// Command quitter quits a Fyne app while other goroutines keep handing the
// main thread work (fyne.DoAndWait), as Parley's event pump, tray and
// network do, and with an OnStopped callback, as Parley has. It prints
// "exited" once Run has returned and every goroutine's last call has: a
// call the driver lost on its way out keeps it from exiting.
package main

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

// workers is how many goroutines call fyne.DoAndWait while the app
// quits: enough that some are always in the queue's buffer.
const workers = 64

func main() {
	a := app.NewWithID("im.parley.test.quitter")
	w := a.NewWindow("Parley quit test")
	w.SetContent(widget.NewLabel("quitting"))
	a.Lifecycle().SetOnStopped(func() { fmt.Println("stopped") })

	var stop atomic.Bool
	var calls atomic.Int64
	var wg sync.WaitGroup
	a.Lifecycle().SetOnStarted(func() {
		for range workers {
			wg.Go(func() {
				for !stop.Load() {
					fyne.DoAndWait(func() {})
					calls.Add(1)
				}
			})
		}
		go func() {
			time.Sleep(100 * time.Millisecond)
			fyne.Do(a.Quit)
		}()
	})
	w.ShowAndRun()
	stop.Store(true)
	wg.Wait()
	fmt.Printf("exited after %d calls on the main thread\n", calls.Load())
}
