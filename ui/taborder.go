package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
)

// inOrder is container.NewBorder with its objects in reading order (top,
// left, center, right, bottom). Tab goes through a window in the order
// of its objects, and NewBorder puts the center first: the roster before
// the status menu above it.
func inOrder(top, bottom, left, right fyne.CanvasObject, center ...fyne.CanvasObject) *fyne.Container {
	var all []fyne.CanvasObject
	for _, o := range []fyne.CanvasObject{top, left} {
		if o != nil {
			all = append(all, o)
		}
	}
	all = append(all, center...)
	for _, o := range []fyne.CanvasObject{right, bottom} {
		if o != nil {
			all = append(all, o)
		}
	}
	return container.New(layout.NewBorderLayout(top, bottom, left, right), all...)
}
