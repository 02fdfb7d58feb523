package fileimport_test

import (
	"archive/zip"
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/taskwire/taskwire/shared/fileimport"
	"github.com/taskwire/taskwire/shared/taskwire"
)

// zipOf returns a ZIP archive of files, name to content, in the order given.
func zipOf(t testing.TB, files ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for i := 0; i < len(files); i += 2 {
		f, err := w.Create(files[i])
		require.NoError(t, err)
		_, err = f.Write([]byte(files[i+1]))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return b.Bytes()
}

// Todoist's backup is a ZIP archive of a CSV file per project: each project's tasks are
// tagged with it (the Inbox's are not), and the same task in two projects is two tasks.
func TestReadFile_TodoistBackup(t *testing.T) {
	weekly := header + "task,Weekly review,,1,1,Ada (1),,,en,,,\r\n"
	backup := zipOf(t,
		"Inbox [2203306140].csv", header+"task,Call mom,,4,1,Ada (1),,,en,,,\r\n",
		"Work [2203306141].csv", weekly,
		"Side projects/Home [2203306142].csv", weekly,
		"notes.txt", "not a project",
	)
	tasks, err := fileimport.ReadFile("Todoist backup.zip", backup, "ada", "UTC", now)
	require.NoError(t, err)
	require.Len(t, tasks, 3)
	assert.Equal(t, "Call mom", tasks[0].Title)
	assert.Empty(t, tasks[0].Tags, "the Inbox is no project to tag")
	assert.Equal(t, []string{"work"}, tasks[1].Tags)
	assert.Equal(t, []string{"home"}, tasks[2].Tags)
	assert.NotEqual(t, tasks[1].ID, tasks[2].ID, "the same task in two projects is two tasks")

	again, err := fileimport.ReadFile("Todoist backup.zip", backup, "ada", "UTC", now)
	require.NoError(t, err)
	for i := range tasks {
		assert.Equal(t, tasks[i].ID, again[i].ID, "the same backup gives the same ids")
	}
	one, err := fileimport.ReadFile("Work.csv", []byte(weekly), "ada", "UTC", now)
	require.NoError(t, err)
	assert.Equal(t, tasks[1].ID, one[0].ID, "a project's own file is its part of the backup")
	assert.Equal(t, []string{"work"}, one[0].Tags)
	unnamed, err := fileimport.Read([]byte(weekly), "ada", "UTC", now)
	require.NoError(t, err)
	assert.Empty(t, unnamed[0].Tags, "a file without a name has no project")
}

// An archive that cannot be read, holds no tasks, or holds a bad line is refused, the
// file inside it named; one too large unpacked, or of too many files, is ETOOLARGE.
func TestReadFile_ZipErrors(t *testing.T) {
	for _, tt := range []struct {
		name, code, field string
		data              []byte
	}{
		{"Broken", taskwire.EINVALID, "file", append([]byte("PK\x03\x04"), "not really"...)},
		{"NoTasks", taskwire.EINVALID, "file", zipOf(t, "readme.txt", "hello")},
		{"BadLine", taskwire.EINVALID, "Work.csv: line[2].PRIORITY", zipOf(t, "Work.csv", header+"task,x,,9,1\r\n")},
		{"Huge", taskwire.ETOOLARGE, "file", zipOf(t, "Huge.csv", header+strings.Repeat(" ", fileimport.MaxZipBytes))},
		{"ManyFiles", taskwire.ETOOLARGE, "file", zipOf(t, manyFiles(fileimport.MaxZipFiles+1)...)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := fileimport.ReadFile("backup.zip", tt.data, "ada", "UTC", now)
			require.Error(t, err)
			assert.Equal(t, tt.code, taskwire.ErrorCode(err), "%v", err)
			assert.Equal(t, tt.field, taskwire.ErrorField(err), "%v", err)
		})
	}
}

// An empty file, as curl sends for a file name it cannot find, is said to be empty, not
// to be a bad CSV, whatever its name.
func TestReadFile_Empty(t *testing.T) {
	for _, name := range []string{"Tasks.ics", "backup.zip", "Work.csv", ""} {
		for _, data := range []string{"", " \r\n "} {
			_, err := fileimport.ReadFile(name, []byte(data), "ada", "UTC", now)
			require.Error(t, err)
			assert.Equal(t, taskwire.EINVALID, taskwire.ErrorCode(err))
			assert.Equal(t, "file", taskwire.ErrorField(err))
			assert.Contains(t, taskwire.ErrorMessage(err), "the file is empty", "%q named %q", data, name)
		}
	}
}

// manyFiles returns n file names, each with an empty content.
func manyFiles(n int) []string {
	var out []string
	for i := range n {
		out = append(out, strings.Repeat("x", i%7+1)+string(rune('a'+i%26))+".csv", "")
	}
	return out
}

// No archive, well made or not, makes ReadFile panic or yield a task without a title;
// what it refuses is a bad file or one too large.
func FuzzReadFile(f *testing.F) {
	f.Add("Work.csv", zipOf(f, "Work [1].csv", header+"task,x,,1,1\r\n", "a.ics", calendarFile))
	f.Add("x.zip", zipOf(f, "Inbox.csv", project))
	f.Add("Home.csv", []byte(header+"task,y,,4,1\r\n"))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		tasks, err := fileimport.ReadFile(name, data, "ada", "UTC", now)
		if err != nil {
			require.Contains(t, []string{taskwire.EINVALID, taskwire.ETOOLARGE}, taskwire.ErrorCode(err), "%v", err)
			return
		}
		for _, task := range tasks {
			require.NotEmpty(t, task.Title)
		}
	})
}
